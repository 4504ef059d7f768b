import ms from 'ms';
import { z } from 'zod';

/** A duration such as `500ms`, `5s`, `30m`, `48h`, parsed to milliseconds. */
export const duration = z.string().transform((text, ctx) => {
  const value = /^\d+(\.\d+)?\s*(ms|s|m|h|d)$/.test(text.trim()) ? ms(text.trim() as ms.StringValue) : undefined;
  if (value === undefined || !(value > 0)) {
    ctx.addIssue({ code: 'custom', message: `expected a positive duration like 500ms, 5s, 30m, 2h or 2d; got "${text}"` });
    return z.NEVER;
  }
  return value;
});

const commaList = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((text) => ['true', '1', 'yes'].includes(text));

const path = z.string().min(1, 'expected a file path');

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'aws-msk-iam'] as const;
export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
/** libpq's modes that a client without fallback can honour (not allow/prefer). */
export const DATABASE_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;

// 0 asks the OS for a free port (tests).
const port = z.coerce.number().int().min(0).max(65_535);

const cidr = z.string().refine((text) => z.cidrv4().safeParse(text).success || z.cidrv6().safeParse(text).success, {
  message: 'expected a CIDR such as 10.0.0.0/8 or fd00::/8',
});

// A CSP frame-ancestors source: 'self', a scheme (https:), or an origin whose host may start
// with "*." and whose port may be "*". Nothing else, so no value can add a directive.
const frameAncestor = z
  .string()
  .regex(
    /^(?:'self'|'none'|https?:|(?:https?:\/\/)?(?:\*\.)?[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*(?::(?:\d{1,5}|\*))?)$/,
    "expected 'self', 'none', a scheme such as https: or an origin such as https://*.example.com",
  );

/**
 * Every environment variable a Hookline service reads, with its default. The names are the
 * public contract of the product (README, Helm chart, docker-compose), so they live here once.
 */
export const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  KAFKA_BROKERS: z
    .string({ message: 'required: a comma-separated list of host:port' })
    .transform(commaList)
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).min(1, 'at least one broker')),
  DATABASE_URL: z
    .string({ message: 'required: a postgres:// connection URL' })
    .regex(/^postgres(ql)?:\/\/.+/, 'expected a postgres:// connection URL'),
  // libpq's meaning; unset: the sslmode of DATABASE_URL, else disable.
  HOOKLINE_DATABASE_SSLMODE: z
    .enum(DATABASE_SSL_MODES, { message: `expected one of ${DATABASE_SSL_MODES.join(', ')}` })
    .optional(),
  HOOKLINE_DATABASE_SSL_CA_FILE: path.optional(),
  HOOKLINE_DATABASE_SSL_CERT_FILE: path.optional(),
  HOOKLINE_DATABASE_SSL_KEY_FILE: path.optional(),
  HOOKLINE_DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1_000).default(10),
  // Off behind a pooler in transaction mode that cannot carry named statements (PgBouncer before
  // 1.21, or with max_prepared_statements = 0).
  HOOKLINE_DATABASE_PREPARED_STATEMENTS: boolean.default(true),
  HOOKLINE_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*$/, 'letters, digits, "-", "_" and "." only')
    .default('hookline'),
  // How soon a consumer that died without leaving (SIGKILL, lost node) is replaced in its group.
  HOOKLINE_KAFKA_SESSION_TIMEOUT: duration.prefault('10s'),
  // A consumer out of its group this long (broker away, restarting after a crash) fails liveness, so the orchestrator restarts the process.
  HOOKLINE_KAFKA_RECOVERY_DEADLINE: duration.prefault('5m'),
  // A partition whose records have been failing this long turns readiness "degraded", naming it.
  HOOKLINE_CONSUMER_STUCK_AFTER: duration.prefault('1m'),
  // Fetched records a process holds unfinished (waiting for their key, or in retry for their due time), shared by its partitions.
  HOOKLINE_CONSUMER_PENDING_MIB: z.coerce.number().int().min(1).max(65_536).default(64),
  // Connection security (README "Connecting to a managed Kafka"). Files are PEM; secrets may come
  // from a file instead (the _FILE variant), as Kubernetes mounts them.
  HOOKLINE_KAFKA_TLS: boolean.default(false),
  HOOKLINE_KAFKA_TLS_CA_FILE: path.optional(),
  HOOKLINE_KAFKA_TLS_CERT_FILE: path.optional(),
  HOOKLINE_KAFKA_TLS_KEY_FILE: path.optional(),
  // Off only for brokers whose certificate names no address clients can use; the chain is still verified.
  HOOKLINE_KAFKA_TLS_SERVERNAME_CHECK: boolean.default(true),
  HOOKLINE_KAFKA_SASL_MECHANISM: z
    .enum(KAFKA_SASL_MECHANISMS, { message: `expected one of ${KAFKA_SASL_MECHANISMS.join(', ')}` })
    .optional(),
  HOOKLINE_KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  HOOKLINE_KAFKA_SASL_USERNAME_FILE: path.optional(),
  HOOKLINE_KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  HOOKLINE_KAFKA_SASL_PASSWORD_FILE: path.optional(),
  HOOKLINE_KAFKA_AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region such as eu-west-1').optional(),
  HOOKLINE_KAFKA_AWS_ROLE_ARN: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'expected an IAM role ARN').optional(),
  HOOKLINE_KAFKA_AWS_ROLE_SESSION_NAME: z.string().regex(/^[\w+=,.@-]{2,64}$/, '2 to 64 of letters, digits and +=,.@_-').optional(),
  // false: the cluster's topics are managed elsewhere; services only check they exist.
  HOOKLINE_KAFKA_MANAGE_TOPICS: boolean.default(true),
  HOOKLINE_KAFKA_COMPRESSION: z
    .enum(KAFKA_COMPRESSIONS, { message: `expected one of ${KAFKA_COMPRESSIONS.join(', ')}` })
    .default('none'),
  HOOKLINE_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1_000).default(6),
  // Retention of <prefix>.outcomes when a service creates it: how long a producer may take to read its outcomes.
  HOOKLINE_OUTCOMES_RETENTION: duration.prefault('7d'),
  HOOKLINE_RETRY_SCHEDULE: z
    .string()
    .default('5s,5m,30m,2h,5h,10h,10h,10h,10h')
    .transform(commaList)
    .pipe(z.array(duration).min(1, 'at least one delay')),
  HOOKLINE_RETRY_JITTER: z.coerce.number().min(0).max(0.5).default(0.2),
  // Retry tasks held in memory per tier partition, each until it is due (past it, a task may wait for the window to move).
  HOOKLINE_RETRY_LOOKAHEAD: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
  HOOKLINE_DEAD_LETTER_AFTER: duration.prefault('48h'),
  // How long messages (payloads), their statuses, attempts and dead letters are kept; longer than the dead-letter window.
  HOOKLINE_RETENTION: duration.prefault('90d'),
  HOOKLINE_DELIVERY_TIMEOUT: duration.prefault('15s'),
  // An endpoint failing every attempt this long is disabled (a 410 Gone disables it at once).
  HOOKLINE_ENDPOINT_DISABLE_AFTER: duration.prefault('5d'),
  // After this many failures in a row an endpoint's circuit opens: its tasks wait instead of
  // being attempted, for the cooldown (doubling while it keeps failing, up to 32 times).
  HOOKLINE_CIRCUIT_BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(5),
  HOOKLINE_CIRCUIT_BREAKER_COOLDOWN: duration.prefault('30s'),
  HOOKLINE_DELIVERY_ALLOW_HTTP: boolean.default(false),
  HOOKLINE_DELIVERY_ALLOWED_SUBNETS: z.string().default('').transform(commaList).pipe(z.array(cidr)),
  HOOKLINE_ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  HOOKLINE_SECRETS_KEYS: z.string().min(1).optional(),
  // After an endpoint's secret is rotated, the old one keeps signing (a second v1 entry) this long.
  HOOKLINE_SECRET_ROTATION_GRACE: duration.prefault('24h'),
  // New endpoints must answer a signed challenge before they receive events.
  HOOKLINE_ENDPOINT_VERIFICATION: boolean.default(false),
  HOOKLINE_MAX_ENDPOINTS_PER_APP: z.coerce.number().int().min(1).max(100_000).default(50),
  // Requests per second per API key (and for the admin token), bursts up to twice that; 0 turns it off.
  HOOKLINE_API_RATE_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(100),
  // Tokens unknown to this instance that one client address may have looked up in the database,
  // per second (bursts of twice that); beyond, a 429 before any lookup. 0 turns it off.
  HOOKLINE_API_INVALID_TOKEN_RATE_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(10),
  // Proxies whose X-Forwarded-For names the client address (Express's "trust proxy"): IPs, CIDRs,
  // or loopback, linklocal, uniquelocal. Empty: the client is the peer of the connection.
  HOOKLINE_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform(commaList)
    .pipe(z.array(z.union([cidr, z.ipv4(), z.ipv6(), z.enum(['loopback', 'linklocal', 'uniquelocal'])], { message: 'expected an IP, a CIDR, loopback, linklocal or uniquelocal' }))),
  // A repeated Idempotency-Key is answered from its first request for this long, then runs anew.
  HOOKLINE_IDEMPOTENCY_KEY_TTL: duration.prefault('24h'),
  // The address every HTTP listener (API, health, metrics) binds: npm start sets 127.0.0.1.
  HOOKLINE_LISTEN_HOST: z.union([z.ipv4(), z.ipv6()], { message: 'expected an IP address such as 0.0.0.0, 127.0.0.1 or ::' }).default('0.0.0.0'),
  HOOKLINE_API_PORT: port.default(8080),
  HOOKLINE_HEALTH_PORT: port.optional(),
  // The built console and portal (apps/console/dist); empty: the build beside ingest's own.
  HOOKLINE_CONSOLE_DIR: z.string().default(''),
  // Which sites may show the app portal in a frame (CSP frame-ancestors), comma-separated.
  HOOKLINE_PORTAL_FRAME_ANCESTORS: z
    .string()
    .default("'self'")
    .transform(commaList)
    .pipe(z.array(frameAncestor).min(1, "at least one source, or 'none'"))
    .refine((sources) => !sources.includes("'none'") || sources.length === 1, "'none' cannot be combined with other sources"),
  // The address the API is reached at from outside (behind an ingress or a TLS proxy, the service
  // cannot know it), for the links it hands out: app-portal links. Empty: the address each request came to.
  HOOKLINE_PUBLIC_URL: z
    .string()
    .default('')
    .refine((text) => text === '' || /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(text), 'expected an absolute http:// or https:// URL without query or fragment, such as https://hooks.example.com')
    .transform((text) => text.replace(/\/+$/, '')),
  // The operator's trace viewer, where the console links each trace: a URL holding {traceId}.
  HOOKLINE_TRACE_LINK: z
    .string()
    .default('')
    .refine((text) => text === '' || (/^https?:\/\/\S+$/.test(text) && text.includes('{traceId}')), 'expected an http:// or https:// URL holding {traceId}, such as https://jaeger.example.com/trace/{traceId}'),
  // Jaeger's query service, from which the console draws a trace's spans (GET /api/traces/{id}).
  HOOKLINE_TRACE_QUERY_URL: z
    .string()
    .default('')
    .refine((text) => text === '' || /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(text), 'expected an absolute http:// or https:// URL without query or fragment, such as http://jaeger-query:16686')
    .transform((text) => text.replace(/\/+$/, '')),
  // How long an app-portal token lasts when POST /auth/app-portal-access does not say (its `expiry`).
  HOOKLINE_PORTAL_TOKEN_TTL: duration.prefault('1h').refine((ms) => ms >= 1_000 && ms <= 7 * 86_400_000, 'between 1s and 7d'),
  // Longer than the 15 s delivery timeout, so a shutdown lets a slow delivery finish and be recorded.
  HOOKLINE_SHUTDOWN_GRACE: duration.prefault('20s'),
  HOOKLINE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Environment = z.input<typeof environmentSchema>;
