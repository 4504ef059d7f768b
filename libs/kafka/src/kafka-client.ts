import type { KafkaConnection } from '@hookline/config';
import { Kafka, type KafkaConfig, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { registerCompressionCodecs } from './connection/compression.js';
import { stopIdleRequestQueuePolling } from './connection/idle-request-queue.js';
import { type MskTokenGenerator, mskIamTokenProvider } from './connection/msk-iam.js';

const PINO_LEVEL: Record<logLevel, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.NOTHING]: 'debug',
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** The same kafkajs line is written once per this window, then with how many were held back. */
const REPEAT_WINDOW_MS = 10_000;

/**
 * A failed connection is told by several kafkajs namespaces at once (the socket, the broker pool,
 * the SASL authenticator), each in its own words: they count as one line, and the caller that
 * gives up says the cause once (describeKafkaError).
 */
const isConnectionNamespace = (namespace: string | undefined) =>
  namespace === 'Connection' || namespace === 'BrokerPool' || Boolean(namespace?.startsWith('SaslAuthenticator'));

/**
 * kafkajs's log lines, through the service's structured logger. While a broker is away kafkajs
 * repeats the same line for every connection attempt of every client in the process; each
 * distinct line is written at most once per REPEAT_WINDOW_MS, the next one saying how many were
 * held back meanwhile. Stack traces are kept for debug level only.
 */
function kafkaLogWriter(logger: Logger, state: { stopping: boolean }): (entry: LogEntry) => void {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  const recent = new Map<string, { writtenAt: number; heldBack: number }>();
  return ({ level, namespace, log }) => {
    // Once the service is stopping, a broker that does not answer is expected, not news.
    if (state.stopping) return;
    const { message, stack, ...fields } = log as LogEntry['log'] & { stack?: string };
    const key = isConnectionNamespace(namespace) && level <= logLevel.WARN ? 'connection problem' : `${level} ${namespace} ${message}`;
    const now = Date.now();
    const seen = recent.get(key);
    if (seen && now - seen.writtenAt < REPEAT_WINDOW_MS) {
      seen.heldBack++;
      return;
    }
    if (recent.size > 1_000) recent.clear();
    recent.set(key, { writtenAt: now, heldBack: 0 });
    const pinoLevel = PINO_LEVEL[level];
    kafkaLogger[pinoLevel]({ ...fields, kafkaNamespace: namespace, ...(seen?.heldBack && { repeatedTimes: seen.heldBack }), ...(pinoLevel === 'debug' && stack && { stack }) }, message);
  };
}

const logStates = new WeakMap<Kafka, { stopping: boolean }>();

/** The client's own log lines stop: the service is shutting down. */
export function silenceKafkaLogs(kafka: Kafka): void {
  const state = logStates.get(kafka);
  if (state) state.stopping = true;
}

/** kafkajs' TLS options (node's tls.connect) for HOOKLINE_KAFKA_TLS*. */
export function kafkaTlsOptions(tls: KafkaConnection['tls']): KafkaConfig['ssl'] {
  if (!tls) return undefined;
  return {
    rejectUnauthorized: true,
    ...(tls.ca && { ca: tls.ca }),
    ...(tls.cert && { cert: tls.cert }),
    ...(tls.key && { key: tls.key }),
    // The chain is still verified; only the name in the certificate is not compared.
    ...(!tls.serverNameCheck && { checkServerIdentity: () => undefined }),
  };
}

/** The TLS and SASL options of kafkajs for a connection's settings. */
export function kafkaSecurityOptions(
  connection: Pick<KafkaConnection, 'tls' | 'sasl'>,
  options: { mskTokenGenerator?: MskTokenGenerator } = {},
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { tls, sasl } = connection;
  const security: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (tls) security.ssl = kafkaTlsOptions(tls);
  if (sasl?.mechanism === 'aws-msk-iam') {
    security.sasl = { mechanism: 'oauthbearer', oauthBearerProvider: mskIamTokenProvider(sasl, options.mskTokenGenerator) };
  } else if (sasl) {
    security.sasl = { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as KafkaConfig['sasl'];
  }
  return security;
}

/** A kafkajs client whose own log lines go through the service's structured logger. */
export function createKafkaClient(options: {
  clientId: string;
  brokers: string[];
  logger: Logger;
  /** TLS and SASL (HOOKLINE_KAFKA_*); none: plaintext. */
  tls?: KafkaConnection['tls'];
  sasl?: KafkaConnection['sasl'];
}): Kafka {
  registerCompressionCodecs();
  stopIdleRequestQueuePolling();
  const state = { stopping: false };
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...kafkaSecurityOptions({ tls: options.tls ?? null, sasl: options.sasl ?? null }),
    // kafkajs is chatty at INFO (every join and commit); WARN keeps the logs about problems.
    logLevel: logLevel.WARN,
    logCreator: () => kafkaLogWriter(options.logger, state),
    retry: { initialRetryTime: 200, retries: 8 },
  });
  logStates.set(kafka, state);
  return kafka;
}
