import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface Telemetry {
  /** Serves the Prometheus text format of this process's metrics. */
  prometheus: PrometheusExporter;
  /** Exports the spans still buffered (at a service's shutdown). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let current: Telemetry | null = null;

/**
 * Starts OpenTelemetry for this process before the application loads: W3C trace context,
 * spans exported over OTLP when the standard OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT variable is
 * set (the exporter reads the other OTEL_* variables itself), and metrics for Prometheus to
 * scrape. Idempotent per process, so tests may run several services in one process, and may pass
 * their own exporter (an in-memory one) instead.
 */
export function startTelemetry(serviceName: string, options: { spanExporter?: SpanExporter } = {}): Telemetry {
  if (current) return current;
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME ?? serviceName });
  const spanProcessors: SpanProcessor[] = [];
  if (options.spanExporter) spanProcessors.push(new SimpleSpanProcessor({ exporter: options.spanExporter }));
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    spanProcessors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter() }));
  }
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  // Without anywhere to send spans, the API's no-op tracer stays: recording spans nobody exports
  // is pure cost on every record. A trace context that arrives (traceparent) still passes
  // through to the next hop.
  const tracerProvider = spanProcessors.length > 0 ? new TracerProvider({ resource, spanProcessors }) : null;
  if (tracerProvider) trace.setGlobalTracerProvider(tracerProvider);

  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  metrics.setGlobalMeterProvider(meterProvider);

  current = {
    prometheus,
    flush: async () => {
      await tracerProvider?.forceFlush();
    },
    shutdown: async () => {
      await Promise.allSettled([tracerProvider?.shutdown(), meterProvider.shutdown()]);
    },
  };
  return current;
}

/** The running telemetry, if startTelemetry was called in this process. */
export function currentTelemetry(): Telemetry | null {
  return current;
}
