import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { DATABASE_SSL_MODES, environmentSchema, KAFKA_SASL_MECHANISMS } from './env.js';

type Parsed = z.output<typeof environmentSchema>;
type DatabaseEnvironment = Pick<
  Parsed,
  'DATABASE_URL' | 'HOOKLINE_DATABASE_SSLMODE' | 'HOOKLINE_DATABASE_SSL_CA_FILE' | 'HOOKLINE_DATABASE_SSL_CERT_FILE' | 'HOOKLINE_DATABASE_SSL_KEY_FILE'
>;

/** Reads a file named by a setting; tests and the chart's checks pass their own. */
export type ReadFile = (path: string) => string;

export const readTextFile: ReadFile = (path) => readFileSync(path, 'utf8');

/** Node's TLS error codes for a peer certificate that no trusted CA signed (Kafka and PostgreSQL alike). */
export const UNTRUSTED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** Node's TLS error codes for a peer certificate outside its validity period. */
export const CERTIFICATE_PERIOD_CODES: ReadonlySet<string> = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** TLS towards the Kafka brokers; PEM contents, read at start. No CA: the system's roots. */
export interface KafkaTls {
  ca?: string;
  cert?: string;
  key?: string;
  serverNameCheck: boolean;
}

export type KafkaSasl =
  | { mechanism: Exclude<(typeof KAFKA_SASL_MECHANISMS)[number], 'aws-msk-iam'>; username: string; password: string }
  | { mechanism: 'aws-msk-iam'; region: string; roleArn?: string; roleSessionName?: string };

/** TLS towards PostgreSQL with libpq's sslmode meaning; PEM contents, read at start. */
export interface DatabaseTls {
  mode: Exclude<(typeof DATABASE_SSL_MODES)[number], 'disable'>;
  ca?: string;
  cert?: string;
  key?: string;
}

/** Collects every problem of the settings, each naming its variable, instead of stopping at the first. */
class Problems {
  readonly list: string[] = [];

  add(variable: string, message: string): void {
    this.list.push(`${variable}: ${message}`);
  }

  /** The PEM file a setting names, or undefined when unset (a problem when unreadable or not PEM). */
  pem(variable: string, path: string | undefined, readFile: ReadFile): string | undefined {
    const text = this.file(variable, path, readFile);
    if (text !== undefined && !text.includes('-----BEGIN ')) {
      this.add(variable, `${path} is not PEM (no "-----BEGIN" line)`);
      return undefined;
    }
    return text;
  }

  file(variable: string, path: string | undefined, readFile: ReadFile): string | undefined {
    if (path === undefined) return undefined;
    try {
      return readFile(path);
    } catch (error) {
      this.add(variable, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return undefined;
    }
  }

  /** A secret given as NAME or as the file NAME_FILE (never both); a file's surrounding whitespace is dropped. */
  secret(env: Parsed, variable: 'HOOKLINE_KAFKA_SASL_USERNAME' | 'HOOKLINE_KAFKA_SASL_PASSWORD', readFile: ReadFile): string | undefined {
    const direct = env[variable];
    const path = env[`${variable}_FILE`];
    if (direct !== undefined && path !== undefined) {
      this.add(variable, `set both ${variable} and ${variable}_FILE; keep one`);
      return undefined;
    }
    if (path === undefined) return direct;
    const text = this.file(`${variable}_FILE`, path, readFile)?.trim();
    if (text === '') this.add(`${variable}_FILE`, `${path} is empty`);
    return text || undefined;
  }
}

function kafkaTls(env: Parsed, problems: Problems, readFile: ReadFile): KafkaTls | null {
  const files = ['HOOKLINE_KAFKA_TLS_CA_FILE', 'HOOKLINE_KAFKA_TLS_CERT_FILE', 'HOOKLINE_KAFKA_TLS_KEY_FILE'] as const;
  if (!env.HOOKLINE_KAFKA_TLS) {
    for (const name of files) if (env[name] !== undefined) problems.add(name, 'set while HOOKLINE_KAFKA_TLS is false: turn TLS on, or unset it');
    return null;
  }
  if ((env.HOOKLINE_KAFKA_TLS_CERT_FILE === undefined) !== (env.HOOKLINE_KAFKA_TLS_KEY_FILE === undefined)) {
    const missing = env.HOOKLINE_KAFKA_TLS_CERT_FILE === undefined ? 'HOOKLINE_KAFKA_TLS_CERT_FILE' : 'HOOKLINE_KAFKA_TLS_KEY_FILE';
    problems.add(missing, 'a client certificate needs both HOOKLINE_KAFKA_TLS_CERT_FILE and HOOKLINE_KAFKA_TLS_KEY_FILE');
  }
  const tls: KafkaTls = { serverNameCheck: env.HOOKLINE_KAFKA_TLS_SERVERNAME_CHECK };
  const ca = problems.pem('HOOKLINE_KAFKA_TLS_CA_FILE', env.HOOKLINE_KAFKA_TLS_CA_FILE, readFile);
  const cert = problems.pem('HOOKLINE_KAFKA_TLS_CERT_FILE', env.HOOKLINE_KAFKA_TLS_CERT_FILE, readFile);
  const key = problems.pem('HOOKLINE_KAFKA_TLS_KEY_FILE', env.HOOKLINE_KAFKA_TLS_KEY_FILE, readFile);
  return { ...tls, ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) };
}

function kafkaSasl(env: Parsed, problems: Problems, readFile: ReadFile): KafkaSasl | null {
  const mechanism = env.HOOKLINE_KAFKA_SASL_MECHANISM;
  const credentials = ['HOOKLINE_KAFKA_SASL_USERNAME', 'HOOKLINE_KAFKA_SASL_USERNAME_FILE', 'HOOKLINE_KAFKA_SASL_PASSWORD', 'HOOKLINE_KAFKA_SASL_PASSWORD_FILE'] as const;
  const aws = ['HOOKLINE_KAFKA_AWS_REGION', 'HOOKLINE_KAFKA_AWS_ROLE_ARN', 'HOOKLINE_KAFKA_AWS_ROLE_SESSION_NAME'] as const;
  const unused = (names: readonly (keyof Parsed)[], why: string) => {
    for (const name of names) if (env[name] !== undefined) problems.add(name, why);
  };
  if (mechanism === undefined) {
    unused([...credentials, ...aws], 'set without HOOKLINE_KAFKA_SASL_MECHANISM');
    return null;
  }
  if (mechanism === 'aws-msk-iam') {
    unused(credentials, 'not read with aws-msk-iam: the AWS credentials come from the default provider chain (or HOOKLINE_KAFKA_AWS_ROLE_ARN)');
    if (!env.HOOKLINE_KAFKA_TLS) problems.add('HOOKLINE_KAFKA_SASL_MECHANISM', 'aws-msk-iam needs HOOKLINE_KAFKA_TLS=true (MSK serves IAM on its TLS port, 9098)');
    if (env.HOOKLINE_KAFKA_AWS_REGION === undefined) problems.add('HOOKLINE_KAFKA_AWS_REGION', 'required by aws-msk-iam: the region of the MSK cluster');
    if (env.HOOKLINE_KAFKA_AWS_ROLE_SESSION_NAME !== undefined && env.HOOKLINE_KAFKA_AWS_ROLE_ARN === undefined) {
      problems.add('HOOKLINE_KAFKA_AWS_ROLE_SESSION_NAME', 'set without HOOKLINE_KAFKA_AWS_ROLE_ARN');
    }
    return {
      mechanism,
      region: env.HOOKLINE_KAFKA_AWS_REGION ?? '',
      ...(env.HOOKLINE_KAFKA_AWS_ROLE_ARN && { roleArn: env.HOOKLINE_KAFKA_AWS_ROLE_ARN }),
      ...(env.HOOKLINE_KAFKA_AWS_ROLE_SESSION_NAME && { roleSessionName: env.HOOKLINE_KAFKA_AWS_ROLE_SESSION_NAME }),
    };
  }
  unused(aws, `only read with HOOKLINE_KAFKA_SASL_MECHANISM=aws-msk-iam (it is ${mechanism})`);
  // PLAIN hands the broker the password itself: never over an unencrypted connection.
  if (mechanism === 'plain' && !env.HOOKLINE_KAFKA_TLS) problems.add('HOOKLINE_KAFKA_SASL_MECHANISM', 'plain sends the password in clear: it needs HOOKLINE_KAFKA_TLS=true');
  const username = problems.secret(env, 'HOOKLINE_KAFKA_SASL_USERNAME', readFile);
  const password = problems.secret(env, 'HOOKLINE_KAFKA_SASL_PASSWORD', readFile);
  for (const [name, value] of [['HOOKLINE_KAFKA_SASL_USERNAME', username], ['HOOKLINE_KAFKA_SASL_PASSWORD', password]] as const) {
    if (value === undefined && env[name] === undefined && env[`${name}_FILE`] === undefined) problems.add(name, `required by ${mechanism} (or ${name}_FILE)`);
  }
  return { mechanism, username: username ?? '', password: password ?? '' };
}

/** DATABASE_URL parameters that configure TLS, and the setting each one stands for. */
const URL_TLS_PARAMETERS = {
  sslmode: 'HOOKLINE_DATABASE_SSLMODE',
  sslrootcert: 'HOOKLINE_DATABASE_SSL_CA_FILE',
  sslcert: 'HOOKLINE_DATABASE_SSL_CERT_FILE',
  sslkey: 'HOOKLINE_DATABASE_SSL_KEY_FILE',
} as const;

/**
 * The connection URL without its TLS parameters, and TLS with libpq's meaning of sslmode (node-pg
 * reads `require` as verify-full). A TLS parameter in the URL stands for its setting; both given
 * and different is a problem.
 */
function database(env: DatabaseEnvironment, problems: Problems, readFile: ReadFile): { url: string; tls: DatabaseTls | null } {
  let url: URL;
  try {
    url = new URL(env.DATABASE_URL);
  } catch {
    problems.add('DATABASE_URL', 'not a valid URL');
    return { url: env.DATABASE_URL, tls: null };
  }
  const settings: Partial<Record<(typeof URL_TLS_PARAMETERS)[keyof typeof URL_TLS_PARAMETERS], string>> = {};
  for (const [parameter, variable] of Object.entries(URL_TLS_PARAMETERS)) {
    const fromUrl = url.searchParams.get(parameter) ?? undefined;
    const fromSetting = env[variable];
    url.searchParams.delete(parameter);
    if (fromUrl !== undefined && fromSetting !== undefined && fromUrl !== fromSetting) {
      problems.add(variable, `is "${fromSetting}" but DATABASE_URL has ${parameter}=${fromUrl}: keep one`);
    }
    const value = fromSetting ?? fromUrl;
    if (value !== undefined) settings[variable] = value;
  }
  const mode = settings.HOOKLINE_DATABASE_SSLMODE ?? 'disable';
  if (!(['disable', 'require', 'verify-ca', 'verify-full'] as const).includes(mode as DatabaseTls['mode'])) {
    problems.add('HOOKLINE_DATABASE_SSLMODE', `"${mode}" (from DATABASE_URL's sslmode) is not supported: expected disable, require, verify-ca or verify-full`);
  }
  const files = ['HOOKLINE_DATABASE_SSL_CA_FILE', 'HOOKLINE_DATABASE_SSL_CERT_FILE', 'HOOKLINE_DATABASE_SSL_KEY_FILE'] as const;
  if (mode === 'disable') {
    for (const name of files) if (settings[name] !== undefined) problems.add(name, 'set while sslmode is disable: set HOOKLINE_DATABASE_SSLMODE, or unset it');
    return { url: url.toString(), tls: null };
  }
  if ((settings.HOOKLINE_DATABASE_SSL_CERT_FILE === undefined) !== (settings.HOOKLINE_DATABASE_SSL_KEY_FILE === undefined)) {
    problems.add('HOOKLINE_DATABASE_SSL_CERT_FILE', 'a client certificate needs both HOOKLINE_DATABASE_SSL_CERT_FILE and HOOKLINE_DATABASE_SSL_KEY_FILE');
  }
  const ca = problems.pem('HOOKLINE_DATABASE_SSL_CA_FILE', settings.HOOKLINE_DATABASE_SSL_CA_FILE, readFile);
  const cert = problems.pem('HOOKLINE_DATABASE_SSL_CERT_FILE', settings.HOOKLINE_DATABASE_SSL_CERT_FILE, readFile);
  const key = problems.pem('HOOKLINE_DATABASE_SSL_KEY_FILE', settings.HOOKLINE_DATABASE_SSL_KEY_FILE, readFile);
  return { url: url.toString(), tls: { mode: mode as DatabaseTls['mode'], ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) } };
}

/** The connection settings that need more than one variable, or a file, resolved; `problems` name every mistake. */
export function resolveConnections(env: Parsed, readFile: ReadFile) {
  const problems = new Problems();
  const resolved = {
    kafka: { tls: kafkaTls(env, problems, readFile), sasl: kafkaSasl(env, problems, readFile) },
    database: database(env, problems, readFile),
  };
  return { ...resolved, problems: problems.list };
}

/** For the database alone (the migration CLI): the same rules. */
export function resolveDatabase(env: DatabaseEnvironment, readFile: ReadFile) {
  const problems = new Problems();
  return { ...database(env, problems, readFile), problems: problems.list };
}
