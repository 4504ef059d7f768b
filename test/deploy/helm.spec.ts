import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { duration, loadConfig, requiredVariables, SERVICES, type ServiceName, environmentSchema } from '@hookline/config';
import { TOPICS } from '@hookline/contracts';
import { parse } from 'yaml';
import {
  ALL_ON_VALUES,
  type Container,
  containerEnvironment,
  helm,
  type Manifest,
  mountedSecretFiles,
  named,
  ofKind,
  CHART,
  type PodSpec,
  podSpec,
  probePort,
  renderChart,
  secretData,
} from './manifests.js';

/**
 * The Helm chart as rendered (helm template; scripts/ci/helm.sh builds helm): what a cluster
 * would run is checked against what the code needs. Probes point at the paths and the port each
 * service really listens on, every service gets the configuration its own config loader
 * requires, the migration Job is a hook that runs before the Deployments, and every pod runs
 * non-root on a read-only root filesystem.
 */

const FULLNAME = 'hookline';
const MIGRATION_COMMAND = ['node', 'node_modules/typeorm/cli.js', 'migration:run', '-d', 'libs/database/dist/data-source.js'];
const CONFIG_VARIABLES = new Set(Object.keys(environmentSchema.shape));
const SECRET_VARIABLES = ['DATABASE_URL', 'HOOKLINE_ADMIN_TOKEN', 'HOOKLINE_SECRETS_KEYS', 'HOOKLINE_KAFKA_SASL_USERNAME', 'HOOKLINE_KAFKA_SASL_PASSWORD'];
/** Read from the Secret by reference, as a variable: the chart never sets the file variants. */
const NOT_SET_BY_THE_CHART = ['HOOKLINE_KAFKA_SASL_USERNAME_FILE', 'HOOKLINE_KAFKA_SASL_PASSWORD_FILE'];
/** AWS IAM for MSK: the mechanism the all-on values (SCRAM) leave out. */
const MSK_IAM = ['--set', 'kafka.tls.enabled=true', '--set', 'kafka.sasl.mechanism=aws-msk-iam', '--set', 'kafka.sasl.aws.region=eu-west-1',
  '--set', 'kafka.sasl.aws.roleArn=arn:aws:iam::123456789012:role/hookline', '--set', 'kafka.sasl.aws.roleSessionName=hookline'];

/**
 * loadConfig's file reader for a rendered container: a path under a mounted Secret reads as a
 * PEM placeholder naming its Secret key; any other path does not exist, as in the pod.
 */
function podFiles(spec: PodSpec, container: Container) {
  const source = mountedSecretFiles(spec, container);
  return (path: string) => {
    const from = source(path);
    if (!from) throw Object.assign(new Error(`ENOENT: ${path} is not mounted`), { code: 'ENOENT' });
    return `-----BEGIN PLACEHOLDER-----\n${from}\n-----END PLACEHOLDER-----\n`;
  };
}

interface Variant {
  name: string;
  args: string[];
  /** The rendered Secret holds every secret value: the services' env can be loaded end to end. */
  complete: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'default values', args: [], complete: false },
  { name: 'ci/all-on-values.yaml', args: ['-f', ALL_ON_VALUES], complete: true },
  { name: 'an existing Secret', args: ['--set', 'secrets.existingSecret=hookline-credentials'], complete: false },
];

const rendered = new Map<string, Manifest[]>();
function manifestsOf(variant: Variant): Manifest[] {
  let manifests = rendered.get(variant.name);
  if (!manifests) {
    manifests = renderChart(...variant.args);
    rendered.set(variant.name, manifests);
  }
  return manifests;
}

function deploymentOf(manifests: Manifest[], service: ServiceName): Manifest {
  return named(manifests, 'Deployment', `${FULLNAME}-${service}`);
}

function serviceContainer(manifests: Manifest[], service: ServiceName): Container {
  const containers = podSpec(deploymentOf(manifests, service)).containers;
  expect(containers.map((container) => container.name)).toEqual([service]);
  return containers[0]!;
}

function hookOf(manifest: Manifest): { hooks: string[]; weight: number } | null {
  const annotations = manifest.metadata.annotations ?? {};
  if (!annotations['helm.sh/hook']) return null;
  return { hooks: annotations['helm.sh/hook'].split(',').map((hook) => hook.trim()), weight: Number(annotations['helm.sh/hook-weight'] ?? '0') };
}

/** Every pod template of the release: the Deployments' and the hook Jobs'. */
function podsOf(manifests: Manifest[]): Manifest[] {
  return manifests.filter((manifest) => manifest.kind === 'Deployment' || manifest.kind === 'Job');
}

describe.each(VARIANTS)('helm chart rendered with $name', (variant) => {
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = manifestsOf(variant);
  });

  it('has one Deployment per service, each running its own entry point, and no other', () => {
    expect(ofKind(manifests, 'Deployment').map((deployment) => deployment.metadata.name).sort()).toEqual(
      SERVICES.map((service) => `${FULLNAME}-${service}`).sort(),
    );
    for (const service of SERVICES) {
      expect(serviceContainer(manifests, service).command).toEqual(['node', `apps/${service}/dist/main.js`]);
      expect(hookOf(deploymentOf(manifests, service))).toBeNull();
    }
  });

  it.each(SERVICES)('%s: probes hit /health/live and /health/ready on the port the service listens on', (service) => {
    const container = serviceContainer(manifests, service);
    const { env } = containerEnvironment(manifests, container);
    const portVariable = service === 'ingest' ? 'HOOKLINE_API_PORT' : 'HOOKLINE_HEALTH_PORT';
    const listenPort = Number(env[portVariable]);
    expect(Number.isInteger(listenPort) && listenPort > 0).toBe(true);
    // Ingest listens on HOOKLINE_HEALTH_PORT if that is set: it must not be, or the probes miss.
    if (service === 'ingest') expect(env.HOOKLINE_HEALTH_PORT).toBeUndefined();
    expect(container.ports?.map((port) => port.containerPort)).toContain(listenPort);

    expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(container.startupProbe?.httpGet?.path).toBe('/health/live');
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      expect(probePort(container, probe)).toBe(listenPort);
    }
  });

  it.each(SERVICES)('%s: gets KAFKA_BROKERS, DATABASE_URL and every variable its config requires', (service) => {
    const container = serviceContainer(manifests, service);
    const { env, names, external } = containerEnvironment(manifests, container);
    // A SASL mechanism with a password needs the credentials in every service.
    const sasl = ['plain', 'scram-sha-256', 'scram-sha-512'].includes(env.HOOKLINE_KAFKA_SASL_MECHANISM ?? '') ? ['HOOKLINE_KAFKA_SASL_USERNAME', 'HOOKLINE_KAFKA_SASL_PASSWORD'] : [];
    const required = [...requiredVariables(service), ...sasl];
    expect(required).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'DATABASE_URL']));
    for (const variable of required) expect([variable, names.has(variable)]).toEqual([variable, true]);
    expect(env.KAFKA_BROKERS).toBeTruthy();
    expect(env.OTEL_SERVICE_NAME).toBe(`hookline-${service}`);

    // Secrets come from the Secret by reference, never as plain values in the pod spec.
    const secretVariables = required.filter((name) => SECRET_VARIABLES.includes(name));
    expect(secretVariables).toContain('DATABASE_URL');
    for (const variable of secretVariables) {
      const entry = container.env?.find((candidate) => candidate.name === variable);
      expect(entry?.valueFrom?.secretKeyRef?.name).toBe(variant.name === 'an existing Secret' ? 'hookline-credentials' : FULLNAME);
      expect(entry?.value).toBeUndefined();
    }
    // Least privilege: a service gets no secret it does not need.
    const unneeded = SECRET_VARIABLES.filter((name) => !required.includes(name));
    for (const variable of unneeded) expect([variable, names.has(variable)]).toEqual([variable, false]);

    if (variant.complete) {
      // The whole environment, as the pod would see it, passes the service's own config loader.
      expect(external.filter((ref) => !ref.startsWith('OTEL_') && !ref.startsWith('secret/hookline-extra'))).toEqual([]);
      const defined = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
      const config = loadConfig(service, defined, podFiles(podSpec(deploymentOf(manifests, service)), container));
      expect(container.ports?.map((port) => port.containerPort)).toContain(config.http.healthPort);
      expect(probePort(container, container.readinessProbe)).toBe(config.http.healthPort);
    }
  });

  it('puts only known non-secret configuration in the ConfigMap', () => {
    const configMap = named(manifests, 'ConfigMap', FULLNAME);
    const keys = Object.keys(configMap.data ?? {});
    expect(keys).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'HOOKLINE_TOPIC_PREFIX', 'HOOKLINE_TOPIC_PARTITIONS', 'HOOKLINE_SHUTDOWN_GRACE']));
    for (const key of keys) expect([key, CONFIG_VARIABLES.has(key) || key.startsWith('OTEL_')]).toEqual([key, true]);
    for (const secret of [...SECRET_VARIABLES, 'HOOKLINE_HEALTH_PORT', 'HOOKLINE_API_PORT']) {
      expect(keys).not.toContain(secret);
    }
    // Every value parses as the services will parse it.
    const parsed = environmentSchema.partial().safeParse(Object.fromEntries(keys.filter((key) => CONFIG_VARIABLES.has(key)).map((key) => [key, configMap.data![key]])));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('runs the migrations in a pre-install/pre-upgrade hook Job, before the Deployments', () => {
    const job = named(manifests, 'Job', `${FULLNAME}-migrate`);
    const hook = hookOf(job);
    expect(hook?.hooks).toEqual(expect.arrayContaining(['pre-install', 'pre-upgrade']));
    expect(Number.isInteger(hook?.weight)).toBe(true);
    expect(job.metadata.annotations?.['helm.sh/hook-delete-policy']).toContain('before-hook-creation');
    const spec = podSpec(job);
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.containers[0]?.command).toEqual(MIGRATION_COMMAND);
    const databaseUrl = spec.containers[0]?.env?.find((variable) => variable.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef;
    expect(databaseUrl).toBeDefined();
    // Hooks run before the release's own resources exist: the Secret the Job reads must be
    // an existing one, or a hook itself that is created first (a lower weight).
    const secret = manifests.find((manifest) => manifest.kind === 'Secret' && manifest.metadata.name === databaseUrl?.name);
    if (variant.name === 'an existing Secret') {
      expect(secret).toBeUndefined();
      expect(databaseUrl?.name).toBe('hookline-credentials');
    } else {
      const secretHook = secret && hookOf(secret);
      expect(secretHook?.hooks).toEqual(expect.arrayContaining(['pre-install', 'pre-upgrade']));
      expect(secretHook!.weight).toBeLessThan(hook!.weight);
      if (variant.complete) expect(secretData(secret!)[databaseUrl!.key]).toMatch(/^postgres:\/\//);
    }
    // Nothing the Deployments need is a hook, and no hook runs after install.
    for (const manifest of manifests) {
      const other = hookOf(manifest);
      if (other) expect([manifest.metadata.name, other.hooks.every((name) => name.startsWith('pre-'))]).toEqual([manifest.metadata.name, true]);
    }
  });

  it('creates the topics in a hook Job that runs the service image with the services’ configuration', () => {
    const job = named(manifests, 'Job', `${FULLNAME}-topics`);
    expect(hookOf(job)?.hooks).toEqual(expect.arrayContaining(['pre-install', 'pre-upgrade']));
    const container = podSpec(job).containers[0]!;
    expect(container.image).toBe(serviceContainer(manifests, 'fanout').image);
    expect(container.command?.slice(0, 3)).toEqual(['node', '--input-type=module', '-e']);
    expect(container.command?.[3]).toContain("from '@hookline/kafka'");
    const { env } = containerEnvironment(manifests, container);
    const configMap = named(manifests, 'ConfigMap', FULLNAME);
    for (const [key, value] of Object.entries(configMap.data ?? {})) {
      // It never connects to PostgreSQL, and does not mount its certificates.
      expect([key, env[key]]).toEqual([key, key.startsWith('HOOKLINE_DATABASE_') ? undefined : value]);
    }
  });

  it('runs every pod non-root, read-only, without capabilities, under the RuntimeDefault seccomp profile', () => {
    const pods = podsOf(manifests);
    expect(pods.length).toBeGreaterThanOrEqual(SERVICES.length + 1);
    for (const pod of pods) {
      const spec = podSpec(pod);
      expect([pod.metadata.name, spec.securityContext?.runAsNonRoot]).toEqual([pod.metadata.name, true]);
      expect(spec.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(spec.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const context = container.securityContext;
        expect([container.name, context?.readOnlyRootFilesystem, context?.allowPrivilegeEscalation]).toEqual([container.name, true, false]);
        expect(context?.runAsNonRoot).toBe(true);
        expect(context?.privileged ?? false).toBe(false);
        expect(context?.capabilities?.drop).toContain('ALL');
        expect(context?.capabilities?.add ?? []).toEqual([]);
      }
    }
  });

  it('gives in-flight work more time than HOOKLINE_SHUTDOWN_GRACE before SIGKILL', () => {
    const grace = named(manifests, 'ConfigMap', FULLNAME).data?.HOOKLINE_SHUTDOWN_GRACE;
    const graceMs = duration.parse(grace);
    for (const service of SERVICES) {
      const seconds = podSpec(deploymentOf(manifests, service)).terminationGracePeriodSeconds ?? 30;
      expect(seconds * 1000).toBeGreaterThan(graceMs);
    }
  });

  it('scales each consumer with an HPA no wider than the topic partitions, and covers every service with a PDB', () => {
    const partitions = Number(named(manifests, 'ConfigMap', FULLNAME).data?.HOOKLINE_TOPIC_PARTITIONS);
    for (const service of ['fanout', 'delivery'] as const) {
      const hpa = named(manifests, 'HorizontalPodAutoscaler', `${FULLNAME}-${service}`);
      expect(hpa.spec?.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: `${FULLNAME}-${service}` });
      expect(hpa.spec?.maxReplicas).toBeLessThanOrEqual(partitions);
      expect(deploymentOf(manifests, service).spec?.replicas).toBeUndefined();
    }
    for (const hpa of ofKind(manifests, 'HorizontalPodAutoscaler')) {
      const deployment = named(manifests, 'Deployment', hpa.spec?.scaleTargetRef?.name ?? '');
      expect(deployment.spec?.replicas).toBeUndefined();
      if (hpa.metadata.name !== `${FULLNAME}-ingest`) expect(hpa.spec?.maxReplicas).toBeLessThanOrEqual(partitions);
    }
    for (const service of SERVICES) {
      const pdb = named(manifests, 'PodDisruptionBudget', `${FULLNAME}-${service}`);
      const podLabels = deploymentOf(manifests, service).spec?.template?.metadata?.labels ?? {};
      expect(podLabels).toMatchObject(pdb.spec?.selector?.matchLabels ?? { missing: 'selector' });
    }
  });

  it('exposes the ingest API through a Service on its port', () => {
    const service = named(manifests, 'Service', `${FULLNAME}-ingest`);
    const port = service.spec?.ports?.find((candidate) => candidate.name === 'http');
    expect(port?.targetPort).toBe('http');
    const container = serviceContainer(manifests, 'ingest');
    expect(container.ports?.find((candidate) => candidate.name === 'http')).toBeDefined();
  });
});

describe('helm chart options', () => {
  const allOn = () => manifestsOf(VARIANTS[1]!);

  it('scrapes /metrics on every service through a ServiceMonitor when enabled, and has none by default', () => {
    expect(ofKind(manifestsOf(VARIANTS[0]!), 'ServiceMonitor')).toEqual([]);
    const manifests = allOn();
    const [monitor] = ofKind(manifests, 'ServiceMonitor');
    expect(monitor?.spec?.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    const selector = monitor?.spec?.selector?.matchLabels ?? {};
    const scraped = ofKind(manifests, 'Service').filter((service) => Object.entries(selector).every(([key, value]) => service.metadata.labels?.[key] === value));
    expect(scraped.map((service) => service.metadata.name).sort()).toEqual(SERVICES.map((service) => `${FULLNAME}-${service}`).sort());
    for (const service of scraped) expect(service.spec?.ports?.map((port) => port.name)).toContain('http');
  });

  it('exposes the API, the console and the app portal by default, and neither health nor metrics', () => {
    const [ingress] = ofKind(renderChart('--set', 'ingest.ingress.enabled=true'), 'Ingress');
    expect(ingress?.spec?.rules?.[0]?.http?.paths.map((path) => path.path)).toEqual(['/api', '/console', '/portal']);
  });

  it('routes the Ingress to the ingest Service', () => {
    const [ingress] = ofKind(allOn(), 'Ingress');
    const backend = ingress?.spec?.rules?.[0]?.http?.paths[0]?.backend.service;
    expect(backend).toEqual({ name: `${FULLNAME}-ingest`, port: { name: 'http' } });
  });

  it('creates no Secret of its own with an existing Secret', () => {
    expect(ofKind(manifestsOf(VARIANTS[2]!), 'Secret')).toEqual([]);
  });

  it('rejects a value of the wrong type with a schema error', () => {
    expect(() => renderChart('--set', 'delivery.replicaCount=abc')).toThrow(/values don't meet the specifications of the schema[\s\S]*delivery\.replicaCount: Invalid type/);
    expect(() => renderChart('--set', 'topics.partitions=many')).toThrow(/topics\.partitions: Invalid type/);
    expect(() => renderChart('--set', 'fanout.replicas=2')).toThrow(/Additional property replicas is not allowed/);
  });

  it('rejects a termination grace period that does not cover HOOKLINE_SHUTDOWN_GRACE', () => {
    expect(() => renderChart('--set', 'terminationGracePeriodSeconds=15')).toThrow(/must be above config.shutdownGrace/);
    expect(() => renderChart('--set', 'config.shutdownGrace=45s', '--set', 'terminationGracePeriodSeconds=60')).not.toThrow();
  });

  it('rejects a retention that would not outlive the retry window, as the services do', () => {
    expect(() => renderChart('--set', 'config.retention.messages=48h')).toThrow(/config\.retention\.messages \(48h\) must be longer than config\.retry\.deadLetterAfter \(48h\)/);
    expect(() => renderChart('--set', 'config.retention.idempotencyKeys=forever')).toThrow(/config\.retention\.idempotencyKeys: Does not match pattern/);
    expect(() => renderChart('--set', 'config.retention.messages=3d')).not.toThrow();
  });

  it('lints clean with --strict', () => {
    expect(helm(['lint', '--strict', '--kube-version', '1.31.0', 'deploy/helm/hookline', '-f', ALL_ON_VALUES])).toMatch(/0 chart\(s\) failed/);
  });

  it('documents every value of the schema in the chart README', () => {
    interface SchemaNode {
      properties?: Record<string, SchemaNode>;
      additionalProperties?: boolean | SchemaNode;
    }
    // Down to closed objects; free-form ones (resources, security contexts) and probe timings are one row each.
    const paths = (node: SchemaNode, path: string): string[] =>
      node.properties && node.additionalProperties === false && !path.endsWith('resources') && !path.startsWith('probes.')
        ? Object.entries(node.properties).flatMap(([key, child]) => paths(child, path ? `${path}.${key}` : key))
        : [path];
    const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as SchemaNode;
    const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
    const undocumented = paths(schema, '').filter((path) => {
      const generic = path.replace(/^(ingest|fanout|delivery|retry)\./, '<service>.');
      return !readme.includes(`| \`${path}\` |`) && !readme.includes(`| \`${generic}\` |`);
    });
    expect(undocumented).toEqual([]);
  });

  it('sets every configuration variable the services read, each in one place', () => {
    // Some only once their feature is on: the default values, every option on, and MSK's IAM.
    const renders = [manifestsOf(VARIANTS[0]!), allOn(), renderChart(...MSK_IAM)];
    const set = new Set<string>();
    for (const manifests of renders) {
      const configMapKeys = Object.keys(named(manifests, 'ConfigMap', FULLNAME).data ?? {});
      const perContainer = new Set(SERVICES.flatMap((service) => (serviceContainer(manifests, service).env ?? []).map((variable) => variable.name)));
      expect(configMapKeys.filter((name) => perContainer.has(name))).toEqual([]);
      for (const name of [...configMapKeys, ...perContainer]) set.add(name);
    }
    expect([...CONFIG_VARIABLES].filter((name) => !set.has(name) && !NOT_SET_BY_THE_CHART.includes(name))).toEqual([]);
  });

  it('connects to Kafka and PostgreSQL with every security value set: certificates mounted from Secrets, credentials by reference', () => {
    const manifests = allOn();
    for (const service of SERVICES) {
      const spec = podSpec(deploymentOf(manifests, service));
      const container = serviceContainer(manifests, service);
      const { env } = containerEnvironment(manifests, container);
      const files = mountedSecretFiles(spec, container);
      expect([env.HOOKLINE_KAFKA_TLS_CA_FILE, env.HOOKLINE_KAFKA_TLS_CERT_FILE, env.HOOKLINE_KAFKA_TLS_KEY_FILE].map((path) => files(path ?? ''))).toEqual([
        'secret/kafka-client-tls:ca.crt', 'secret/kafka-client-tls:tls.crt', 'secret/kafka-client-tls:tls.key',
      ]);
      expect([env.HOOKLINE_DATABASE_SSL_CA_FILE, env.HOOKLINE_DATABASE_SSL_CERT_FILE, env.HOOKLINE_DATABASE_SSL_KEY_FILE].map((path) => files(path ?? ''))).toEqual([
        'secret/postgres-client-tls:ca.crt', 'secret/postgres-client-tls:tls.crt', 'secret/postgres-client-tls:tls.key',
      ]);
      for (const mount of container.volumeMounts?.filter((candidate) => candidate.name.endsWith('-tls')) ?? []) expect(mount.readOnly).toBe(true);
      const config = loadConfig(service, env as Record<string, string>, podFiles(spec, container));
      expect(config.kafka).toMatchObject({ manageTopics: false, compression: 'zstd', sasl: { mechanism: 'scram-sha-512', username: 'hookline', password: 'ci-placeholder-password' } });
      expect(config.kafka.tls?.ca).toContain('secret/kafka-client-tls:ca.crt');
      expect(config.database).toMatchObject({ poolSize: 20, preparedStatements: false, tls: { mode: 'verify-full' } });
    }
    // The migration Job connects with the same settings and files; the topics Job with Kafka's.
    const migrate = podSpec(named(manifests, 'Job', `${FULLNAME}-migrate`));
    const migrateEnv = Object.fromEntries((migrate.containers[0]!.env ?? []).filter((variable) => variable.value !== undefined).map((variable) => [variable.name, variable.value]));
    const configMap = named(manifests, 'ConfigMap', FULLNAME).data ?? {};
    for (const name of Object.keys(configMap).filter((key) => key.startsWith('HOOKLINE_DATABASE_'))) expect([name, migrateEnv[name]]).toEqual([name, configMap[name]]);
    expect(mountedSecretFiles(migrate, migrate.containers[0]!)(migrateEnv.HOOKLINE_DATABASE_SSL_CA_FILE ?? '')).toBe('secret/postgres-client-tls:ca.crt');
    const topics = podSpec(named(manifests, 'Job', `${FULLNAME}-topics`));
    const topicsContainer = topics.containers[0]!;
    expect(mountedSecretFiles(topics, topicsContainer)(configMap.HOOKLINE_KAFKA_TLS_CA_FILE ?? '')).toBe('secret/kafka-client-tls:ca.crt');
    const sasl = topicsContainer.env?.find((variable) => variable.name === 'HOOKLINE_KAFKA_SASL_PASSWORD')?.valueFrom?.secretKeyRef;
    const hookSecret = named(manifests, 'Secret', sasl?.name ?? '');
    expect(hookSecret.metadata.annotations?.['helm.sh/hook']).toContain('pre-install');
    expect(secretData(hookSecret)[sasl!.key]).toBe('ci-placeholder-password');
  });

  it('connects to MSK with IAM: region and role in the ConfigMap, no SASL secret', () => {
    const manifests = renderChart(...MSK_IAM);
    const container = serviceContainer(manifests, 'delivery');
    const { env, names } = containerEnvironment(manifests, container);
    expect(names.has('HOOKLINE_KAFKA_SASL_PASSWORD')).toBe(false);
    const config = loadConfig('delivery', { ...(env as Record<string, string>), DATABASE_URL: 'postgres://u@db/h', HOOKLINE_SECRETS_KEYS: 'k1:AAAA' });
    expect(config.kafka.sasl).toEqual({ mechanism: 'aws-msk-iam', region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/hookline', roleSessionName: 'hookline' });
  });

  it('refuses malformed or contradictory security values', () => {
    expect(() => renderChart('--set', 'kafka.sasl.mechanism=gssapi')).toThrow(/kafka\.sasl\.mechanism: kafka\.sasl\.mechanism must be one of/);
    expect(() => renderChart('--set', 'kafka.compression=brotli')).toThrow(/kafka\.compression: kafka\.compression must be one of/);
    expect(() => renderChart('--set', 'database.sslmode=prefer')).toThrow(/database\.sslmode: database\.sslmode must be one of/);
    expect(() => renderChart('--set', 'kafka.sasl.aws.region=Ireland')).toThrow(/kafka\.sasl\.aws\.region: Does not match pattern/);
    expect(() => renderChart('--set', 'kafka.tls.secretName=Not_A_Name')).toThrow(/kafka\.tls\.secretName: Does not match pattern/);
    expect(() => renderChart('--set', 'database.poolSize=0')).toThrow(/database\.poolSize: Must be greater than or equal to 1/);
    expect(() => renderChart('--set', 'kafka.sasl.mechanism=plain')).toThrow(/plain needs kafka\.tls\.enabled/);
    expect(() => renderChart('--set', 'kafka.tls.enabled=true', '--set', 'kafka.tls.secretName=tls', '--set', 'kafka.tls.certKey=tls.crt')).toThrow(/needs both certKey and keyKey/);
    expect(() => renderChart('--set', 'kafka.tls.enabled=true', '--set', 'kafka.tls.caKey=ca.crt')).toThrow(/kafka\.tls\.secretName, which is empty/);
    expect(() => renderChart('--set', 'kafka.tls.enabled=true', '--set', 'kafka.sasl.mechanism=aws-msk-iam')).toThrow(/kafka\.sasl\.aws\.region is required/);
  });

  it('defaults every setting to what the services default to, NODE_ENV aside', () => {
    const data = named(manifestsOf(VARIANTS[0]!), 'ConfigMap', FULLNAME).data ?? {};
    const base = { KAFKA_BROKERS: 'kafka:9092', DATABASE_URL: 'postgres://u@h/db' };
    const codeDefaults = environmentSchema.parse(base);
    const chartDefaults = environmentSchema.parse({ ...base, ...data });
    expect(chartDefaults.NODE_ENV).toBe('production');
    expect({ ...chartDefaults, NODE_ENV: codeDefaults.NODE_ENV }).toEqual(codeDefaults);
  });

  it('offers a retention override for every topic the services create', () => {
    const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as { topics: { provision: { retention: Record<string, string> } } };
    const offered = Object.keys(values.topics.provision.retention);
    expect(offered).toEqual(expect.arrayContaining([...Object.keys(TOPICS), 'retry']));
  });
});
