import { activeTraceId, extractTraceContext, injectTraceContext, inSpan } from '@hookline/telemetry';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

// Without a tracer installed (no OTLP endpoint: the services' default), inSpan runs its work in
// the caller's context instead of entering a new one; what the work sees of the trace must not
// change: the trace id kept with a message or attempt, the traceparent passed on.
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const manager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(manager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  propagation.disable();
  context.disable();
});

describe('inSpan without a tracer', () => {
  it('keeps the propagated trace id and traceparent inside the span, and after an await', async () => {
    const parent = extractTraceContext({ traceparent: TRACEPARENT });
    const seen = await context.with(parent, () =>
      inSpan('POST', {}, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        const headers: Record<string, string> = {};
        injectTraceContext(headers);
        return { traceId: activeTraceId(), traceparent: headers.traceparent };
      }),
    );

    expect(seen).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', traceparent: TRACEPARENT });
  });

  it('enters the parent it is given, and has no trace id without one', async () => {
    const given = await inSpan('process deliveries', { parent: extractTraceContext({ traceparent: TRACEPARENT }) }, async () => activeTraceId());
    const none = await inSpan('send outcomes', {}, async () => activeTraceId());

    expect(given).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(none).toBeNull();
  });

  it('still passes on a thrown error', async () => {
    await expect(inSpan('POST', {}, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  });
});

describe('inSpan with a tracer', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

  beforeAll(() => trace.setGlobalTracerProvider(provider));
  afterAll(async () => {
    trace.disable();
    await provider.shutdown();
  });

  it('records a child of the propagated span and makes it the active one', async () => {
    const parent = extractTraceContext({ traceparent: TRACEPARENT });
    const activeSpanId = await context.with(parent, () => inSpan('POST', {}, async () => trace.getActiveSpan()?.spanContext().spanId));

    const [span] = exporter.getFinishedSpans();
    expect(span.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(span.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(activeSpanId).toBe(span.spanContext().spanId);
  });
});
