import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

/** Paths whose values never reach a log line: credentials and secrets. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.secret',
  '*.password',
  '*.token',
  'secret',
  'password',
  'token',
];

/** The longest SQL text an error line carries. */
const MAX_QUERY_CHARS = 200;

/**
 * Errors as pino writes them, without what a failed query carries: TypeORM's QueryFailedError
 * holds the statement's parameters (whole payloads, for a batch insert: one line of megabytes,
 * and customers' data in the logs) and its full SQL text.
 */
function errorWithoutParameters(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as Record<string, unknown>;
  if (!serialized || typeof serialized !== 'object') return serialized;
  const kept = { ...serialized };
  delete kept.parameters;
  delete kept.driverError;
  if (typeof kept.query === 'string') kept.query = kept.query.trim().slice(0, MAX_QUERY_CHARS);
  return kept;
}

/** One structured JSON logger per process; every line names the service. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED, censor: '[redacted]' },
    serializers: { err: errorWithoutParameters },
    // Every line logged inside a span names it, so logs and traces join up.
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
    },
  });
}

export type { Logger };
