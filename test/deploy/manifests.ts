import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** Reading the Helm chart's rendered manifests (test/deploy/helm.spec.ts and the topics Job test). */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHART = join(ROOT, 'deploy/helm/hookline');
export const ALL_ON_VALUES = join(CHART, 'ci/all-on-values.yaml');
/** The Kubernetes version the chart is rendered for, as in scripts/ci/helm.sh. */
export const KUBE_VERSION = process.env.HOOKLINE_KUBE_VERSION ?? '1.31.0';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string } };
}
export interface EnvFromSource {
  configMapRef?: { name: string };
  secretRef?: { name: string };
}
export interface Probe {
  httpGet?: { path: string; port: number | string };
}
export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
export interface PodSpec {
  containers: Container[];
  volumes?: Array<{ name: string; secret?: { secretName: string; defaultMode?: number }; emptyDir?: object }>;
  initContainers?: Container[];
  securityContext?: SecurityContext & { fsGroup?: number };
  terminationGracePeriodSeconds?: number;
  restartPolicy?: string;
  serviceAccountName?: string;
}
export interface LabelSelector {
  matchLabels?: Record<string, string>;
}
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
    scaleTargetRef?: { kind: string; name: string };
    minReplicas?: number;
    maxReplicas?: number;
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    ports?: Array<{ name?: string; port: number; targetPort?: number | string }>;
    endpoints?: Array<{ port?: string; path?: string }>;
    rules?: Array<{ http?: { paths: Array<{ path: string; backend: { service: { name: string; port: { name?: string; number?: number } } } }> } }>;
  };
}

/**
 * The helm binary: HOOKLINE_HELM, or the one scripts/ci/helm.sh builds into the cache. Missing
 * helm is a failure, never a silent skip.
 */
export function helmBinary(): string {
  const explicit = process.env.HOOKLINE_HELM;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`HOOKLINE_HELM=${explicit} does not exist`);
    return explicit;
  }
  const cached = join(process.env.HOOKLINE_CACHE_DIR ?? join(homedir(), '.cache/hookline'), 'bin/helm');
  if (existsSync(cached)) return cached;
  throw new Error(`helm not found at ${cached}: run scripts/ci/helm.sh first (it builds helm there), or set HOOKLINE_HELM to a helm binary`);
}

/** `helm template` of the chart with extra arguments (values files, --set), parsed. */
export function renderChart(...args: string[]): Manifest[] {
  const output = helm(['template', 'hookline', CHART, '--namespace', 'hookline', '--kube-version', KUBE_VERSION, ...args]);
  return parseAllDocuments(output)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`rendered YAML does not parse: ${document.errors[0]?.message}`);
      return document.toJS() as Manifest | null;
    })
    .filter((manifest): manifest is Manifest => manifest !== null);
}

/** Runs helm; a failure throws with helm's own error output. */
export function helm(args: string[]): string {
  try {
    return execFileSync(helmBinary(), args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    if (stderr) throw new Error(`helm ${args[0]} failed: ${stderr.trim()}`, { cause: error });
    throw error;
  }
}

export function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((manifest) => manifest.kind === kind);
}

export function named(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name} in [${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}]`);
  return found;
}

export function podSpec(manifest: Manifest): PodSpec {
  const spec = manifest.spec?.template?.spec;
  if (!spec) throw new Error(`${manifest.kind}/${manifest.metadata.name} has no pod template`);
  return spec;
}

/** The decoded data of a rendered Secret. */
export function secretData(secret: Manifest): Record<string, string> {
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

/**
 * The environment a container starts with, as far as the rendered manifests tell: ConfigMaps
 * and Secrets of the release are resolved (env entries override envFrom, as in Kubernetes); a
 * reference to anything outside the release resolves to undefined and is listed in `external`.
 */
export function containerEnvironment(
  manifests: Manifest[],
  container: Container,
): { env: Record<string, string | undefined>; names: Set<string>; external: string[] } {
  const env: Record<string, string | undefined> = {};
  const external: string[] = [];
  const lookup = (kind: 'ConfigMap' | 'Secret', name: string) =>
    manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name && !manifest.metadata.annotations?.['helm.sh/hook']);
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    if (!ref) continue;
    const resource = lookup(source.configMapRef ? 'ConfigMap' : 'Secret', ref.name);
    if (!resource) {
      external.push(`${source.configMapRef ? 'configMap' : 'secret'}/${ref.name}`);
      continue;
    }
    Object.assign(env, source.configMapRef ? resource.data : secretData(resource));
  }
  for (const variable of container.env ?? []) {
    if (variable.valueFrom?.secretKeyRef || variable.valueFrom?.configMapKeyRef) {
      const ref = (variable.valueFrom.secretKeyRef ?? variable.valueFrom.configMapKeyRef)!;
      const isSecret = Boolean(variable.valueFrom.secretKeyRef);
      const resource = lookup(isSecret ? 'Secret' : 'ConfigMap', ref.name);
      if (!resource) external.push(`${variable.name} <- ${isSecret ? 'secret' : 'configMap'}/${ref.name}:${ref.key}`);
      env[variable.name] = resource ? (isSecret ? secretData(resource) : (resource.data ?? {}))[ref.key] : undefined;
    } else {
      env[variable.name] = variable.value ?? '';
    }
  }
  return { env, names: new Set(Object.keys(env)), external };
}

/** The port number a probe points at: a number, or the name of one of the container's ports. */
export function probePort(container: Container, probe: Probe | undefined): number | undefined {
  const port = probe?.httpGet?.port;
  if (typeof port === 'number') return port;
  return container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

/**
 * The Secret key each file path of a container comes from, for the Secrets mounted as volumes:
 * `/etc/hookline/kafka-tls/ca.crt` -> `secret/<name>:ca.crt`.
 */
export function mountedSecretFiles(spec: PodSpec, container: Container): (path: string) => string | undefined {
  return (path) => {
    for (const mount of container.volumeMounts ?? []) {
      const secret = spec.volumes?.find((volume) => volume.name === mount.name)?.secret;
      if (secret && path.startsWith(`${mount.mountPath}/`)) return `secret/${secret.secretName}:${path.slice(mount.mountPath.length + 1)}`;
    }
    return undefined;
  };
}
