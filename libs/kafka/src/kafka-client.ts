import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

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
 * kafkajs's log lines, through the service's structured logger. While a broker is away kafkajs
 * repeats the same line for every connection attempt of every client in the process; each
 * distinct line is written at most once per REPEAT_WINDOW_MS, the next one saying how many were
 * held back meanwhile.
 */
function kafkaLogWriter(logger: Logger, state: { stopping: boolean }): (entry: LogEntry) => void {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  const recent = new Map<string, { writtenAt: number; heldBack: number }>();
  return ({ level, namespace, log }) => {
    // Once the service is stopping, a broker that does not answer is expected, not news.
    if (state.stopping) return;
    const { message, ...fields } = log;
    const key = `${level} ${namespace} ${message}`;
    const now = Date.now();
    const seen = recent.get(key);
    if (seen && now - seen.writtenAt < REPEAT_WINDOW_MS) {
      seen.heldBack++;
      return;
    }
    if (recent.size > 1_000) recent.clear();
    recent.set(key, { writtenAt: now, heldBack: 0 });
    kafkaLogger[PINO_LEVEL[level]]({ ...fields, kafkaNamespace: namespace, ...(seen?.heldBack && { repeatedTimes: seen.heldBack }) }, message);
  };
}

const logStates = new WeakMap<Kafka, { stopping: boolean }>();

/** The client's own log lines stop: the service is shutting down. */
export function silenceKafkaLogs(kafka: Kafka): void {
  const state = logStates.get(kafka);
  if (state) state.stopping = true;
}

/** A kafkajs client whose own log lines go through the service's structured logger. */
export function createKafkaClient(options: { clientId: string; brokers: string[]; logger: Logger }): Kafka {
  const state = { stopping: false };
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    // kafkajs is chatty at INFO (every join and commit); WARN keeps the logs about problems.
    logLevel: logLevel.WARN,
    logCreator: () => kafkaLogWriter(options.logger, state),
    retry: { initialRetryTime: 200, retries: 8 },
  });
  logStates.set(kafka, state);
  return kafka;
}
