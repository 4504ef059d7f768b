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

/** One structured JSON logger per process; every line names the service. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED, censor: '[redacted]' },
    // Every line logged inside a span names it, so logs and traces join up.
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
    },
  });
}

export type { Logger };
