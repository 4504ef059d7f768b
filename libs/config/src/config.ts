import ms from 'ms';
import type { z } from 'zod';
import { type DatabaseTls, type KafkaSasl, type KafkaTls, type ReadFile, readTextFile, resolveConnections, resolveDatabase } from './connections.js';
import { environmentSchema, type KAFKA_COMPRESSIONS } from './env.js';

export const SERVICES = ['ingest', 'fanout', 'delivery', 'retry'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Where each service answers health checks when HOOKLINE_HEALTH_PORT is not set (ingest: its API port). */
const DEFAULT_HEALTH_PORT: Record<ServiceName, number | 'api'> = {
  ingest: 'api',
  fanout: 8081,
  delivery: 8082,
  retry: 8083,
};

export interface HooklineConfig {
  service: ServiceName;
  environment: 'development' | 'production' | 'test';
  kafka: KafkaConnection & {
    topicPrefix: string;
    partitions: number;
    sessionTimeoutMs: number;
    /** How long a consumer may stay out of its group before liveness fails. */
    recoveryDeadlineMs: number;
    /** How long a partition's records may keep failing before readiness reports it degraded. */
    stuckAfterMs: number;
    /** Bytes of fetched records a consumer holds unfinished, in all (KafkaConsumerOptions.maxPendingBytes). */
    maxPendingBytes: number;
    /** Create missing topics at start; false: only check they exist with enough partitions. */
    manageTopics: boolean;
    compression: (typeof KAFKA_COMPRESSIONS)[number];
    /** retention.ms of `<prefix>.outcomes` when a service creates it. */
    outcomesRetentionMs: number;
  };
  database: DatabaseConfig;
  retry: {
    scheduleMs: number[];
    jitter: number;
    deadLetterAfterMs: number;
    /** Tasks the retry service holds in memory per tier partition. */
    lookahead: number;
  };
  /** How long data is kept before the retention sweep removes it (Idempotency-Key records: api.idempotencyKeyTtlMs). */
  retention: {
    /** Messages with their payloads, their statuses per endpoint (dead letters included) and attempts. */
    messagesMs: number;
  };
  delivery: {
    timeoutMs: number;
    allowHttp: boolean;
    allowedSubnets: string[];
    disableEndpointAfterMs: number;
    circuitBreaker: { threshold: number; cooldownMs: number };
  };
  http: {
    apiPort: number;
    healthPort: number;
    /** HOOKLINE_PUBLIC_URL without a trailing slash, or null: the links the API hands out use the address each request came to. */
    publicUrl: string | null;
    /** The address the HTTP listener binds. */
    listenHost: string;
  };
  /** Limits and endpoint lifecycle settings of the REST API (ingest). */
  api: {
    /** Requests per second per API key or admin token (per ingest instance); 0 for no limit. */
    rateLimitPerSecond: number;
    /** Lookups of unknown tokens per second per client address (per ingest instance); 0 for no limit. */
    invalidTokenRateLimitPerSecond: number;
    /** Express's "trust proxy": the proxies whose X-Forwarded-For gives the client address. */
    trustedProxies: string[];
    /** How long an Idempotency-Key's first answer is replayed. */
    idempotencyKeyTtlMs: number;
    maxEndpointsPerApplication: number;
    /** New endpoints get a verification handshake and receive nothing until they pass it. */
    endpointVerification: boolean;
    /** How long the previous secret still signs after a rotation. */
    secretRotationGraceMs: number;
  };
  /** The operator console (/console/) and app portal (/portal/) that ingest serves. */
  console: {
    /** HOOKLINE_CONSOLE_DIR, or null (unset or empty) for the build beside ingest's own. */
    dir: string | null;
    /** CSP frame-ancestors sources of /portal/. */
    portalFrameAncestors: string[];
    /** How long an app-portal token lasts unless its request says otherwise. */
    portalTokenTtlMs: number;
    /** HOOKLINE_TRACE_LINK: the trace viewer's URL with `{traceId}` in it, or null for no link. */
    traceLink: string | null;
    /** HOOKLINE_TRACE_QUERY_URL: Jaeger's query service, or null (the console shows no spans). */
    traceQueryUrl: string | null;
  };
  /** Bearer token with access to every application (ingest only). */
  adminToken: string | null;
  /** `id:base64key,...` keyring encrypting endpoint secrets at rest, active key first. */
  secretsKeys: string | null;
  shutdownGraceMs: number;
  logLevel: string;
}

/** How to reach the Kafka cluster: brokers, and TLS and SASL when the cluster asks for them. */
export interface KafkaConnection {
  brokers: string[];
  tls: KafkaTls | null;
  sasl: KafkaSasl | null;
}

/** How to reach PostgreSQL: the URL without its TLS parameters, TLS, and the pool size. */
export interface DatabaseConfig {
  url: string;
  tls: DatabaseTls | null;
  poolSize: number;
  /** The hot statements run as named prepared statements, planned once per connection (docs/performance.md, "Planning"). */
  preparedStatements: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Variables a service cannot run without, beyond those every service needs. */
export const REQUIRED_BY: Partial<Record<ServiceName, ReadonlyArray<'HOOKLINE_ADMIN_TOKEN' | 'HOOKLINE_SECRETS_KEYS'>>> = {
  ingest: ['HOOKLINE_ADMIN_TOKEN', 'HOOKLINE_SECRETS_KEYS'],
  delivery: ['HOOKLINE_SECRETS_KEYS'],
};

/**
 * Every variable a service cannot start without: those of the schema with no default (every
 * service needs them), then its own (REQUIRED_BY). Deployment files are checked against it.
 */
export function requiredVariables(service: ServiceName): string[] {
  const shared = Object.entries(environmentSchema.shape)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([name]) => name);
  return [...shared, ...(REQUIRED_BY[service] ?? [])];
}

const issuesOf = (error: z.ZodError) => error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

const databaseSchema = environmentSchema.pick({
  DATABASE_URL: true,
  HOOKLINE_DATABASE_SSLMODE: true,
  HOOKLINE_DATABASE_SSL_CA_FILE: true,
  HOOKLINE_DATABASE_SSL_CERT_FILE: true,
  HOOKLINE_DATABASE_SSL_KEY_FILE: true,
  HOOKLINE_DATABASE_POOL_SIZE: true,
  HOOKLINE_DATABASE_PREPARED_STATEMENTS: true,
});

/** The database settings alone, for what needs nothing else (the migration CLI); the same rules as loadConfig. */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env, readFile: ReadFile = readTextFile): DatabaseConfig {
  const parsed = databaseSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(issuesOf(parsed.error));
  const { url, tls, problems } = resolveDatabase(parsed.data, readFile);
  if (problems.length > 0) throw new ConfigError(problems);
  return { url, tls, poolSize: parsed.data.HOOKLINE_DATABASE_POOL_SIZE, preparedStatements: parsed.data.HOOKLINE_DATABASE_PREPARED_STATEMENTS };
}

/**
 * Reads and validates the environment once, at boot; a bad value names its variable. Files that
 * settings name (certificates, secrets) are read here too, so a missing one stops the start.
 */
export function loadConfig(service: ServiceName, env: NodeJS.ProcessEnv = process.env, readFile: ReadFile = readTextFile): HooklineConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(issuesOf(parsed.error));
  const e = parsed.data;
  const missing = (REQUIRED_BY[service] ?? []).filter((name) => e[name] === undefined);
  if (missing.length > 0) throw new ConfigError(missing.map((name) => `${name}: required by the ${service} service`));
  const connections = resolveConnections(e, readFile);
  if (connections.problems.length > 0) throw new ConfigError(connections.problems);
  // A message must outlive its retry window, or its last retries would find it gone.
  if (e.HOOKLINE_RETENTION <= e.HOOKLINE_DEAD_LETTER_AFTER) {
    throw new ConfigError([`HOOKLINE_RETENTION: must be longer than HOOKLINE_DEAD_LETTER_AFTER (${ms(e.HOOKLINE_DEAD_LETTER_AFTER)}), so that a message outlives its retries; got ${ms(e.HOOKLINE_RETENTION)}`]);
  }
  const defaultHealthPort = DEFAULT_HEALTH_PORT[service];
  return {
    service,
    environment: e.NODE_ENV,
    kafka: {
      brokers: e.KAFKA_BROKERS,
      ...connections.kafka,
      topicPrefix: e.HOOKLINE_TOPIC_PREFIX,
      partitions: e.HOOKLINE_TOPIC_PARTITIONS,
      sessionTimeoutMs: e.HOOKLINE_KAFKA_SESSION_TIMEOUT,
      recoveryDeadlineMs: e.HOOKLINE_KAFKA_RECOVERY_DEADLINE,
      stuckAfterMs: e.HOOKLINE_CONSUMER_STUCK_AFTER,
      maxPendingBytes: e.HOOKLINE_CONSUMER_PENDING_MIB * 1024 * 1024,
      manageTopics: e.HOOKLINE_KAFKA_MANAGE_TOPICS,
      compression: e.HOOKLINE_KAFKA_COMPRESSION,
      outcomesRetentionMs: e.HOOKLINE_OUTCOMES_RETENTION,
    },
    database: { ...connections.database, poolSize: e.HOOKLINE_DATABASE_POOL_SIZE, preparedStatements: e.HOOKLINE_DATABASE_PREPARED_STATEMENTS },
    retry: {
      scheduleMs: e.HOOKLINE_RETRY_SCHEDULE,
      jitter: e.HOOKLINE_RETRY_JITTER,
      deadLetterAfterMs: e.HOOKLINE_DEAD_LETTER_AFTER,
      lookahead: e.HOOKLINE_RETRY_LOOKAHEAD,
    },
    retention: { messagesMs: e.HOOKLINE_RETENTION },
    delivery: {
      timeoutMs: e.HOOKLINE_DELIVERY_TIMEOUT,
      allowHttp: e.HOOKLINE_DELIVERY_ALLOW_HTTP,
      allowedSubnets: e.HOOKLINE_DELIVERY_ALLOWED_SUBNETS,
      disableEndpointAfterMs: e.HOOKLINE_ENDPOINT_DISABLE_AFTER,
      circuitBreaker: { threshold: e.HOOKLINE_CIRCUIT_BREAKER_THRESHOLD, cooldownMs: e.HOOKLINE_CIRCUIT_BREAKER_COOLDOWN },
    },
    http: {
      apiPort: e.HOOKLINE_API_PORT,
      healthPort: e.HOOKLINE_HEALTH_PORT ?? (defaultHealthPort === 'api' ? e.HOOKLINE_API_PORT : defaultHealthPort),
      publicUrl: e.HOOKLINE_PUBLIC_URL || null,
      listenHost: e.HOOKLINE_LISTEN_HOST,
    },
    api: {
      rateLimitPerSecond: e.HOOKLINE_API_RATE_LIMIT,
      invalidTokenRateLimitPerSecond: e.HOOKLINE_API_INVALID_TOKEN_RATE_LIMIT,
      trustedProxies: e.HOOKLINE_TRUSTED_PROXIES,
      idempotencyKeyTtlMs: e.HOOKLINE_IDEMPOTENCY_KEY_TTL,
      maxEndpointsPerApplication: e.HOOKLINE_MAX_ENDPOINTS_PER_APP,
      endpointVerification: e.HOOKLINE_ENDPOINT_VERIFICATION,
      secretRotationGraceMs: e.HOOKLINE_SECRET_ROTATION_GRACE,
    },
    console: { dir: e.HOOKLINE_CONSOLE_DIR || null, portalFrameAncestors: e.HOOKLINE_PORTAL_FRAME_ANCESTORS, portalTokenTtlMs: e.HOOKLINE_PORTAL_TOKEN_TTL, traceLink: e.HOOKLINE_TRACE_LINK || null, traceQueryUrl: e.HOOKLINE_TRACE_QUERY_URL || null },
    adminToken: e.HOOKLINE_ADMIN_TOKEN ?? null,
    secretsKeys: e.HOOKLINE_SECRETS_KEYS ?? null,
    shutdownGraceMs: e.HOOKLINE_SHUTDOWN_GRACE,
    logLevel: e.HOOKLINE_LOG_LEVEL,
  };
}

