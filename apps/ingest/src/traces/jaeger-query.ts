import { z } from 'zod';

/** A span as the trace store has it, before it is placed on the trace's time line. */
export interface StoredSpan {
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  /** Microseconds since the epoch, as Jaeger keeps them. */
  startMicros: number;
  durationMicros: number;
  error: boolean;
}

/** Reading a trace from the store failed (unreachable, an error answer, an answer of another shape). */
export class TraceStoreError extends Error {}

const tag = z.object({ key: z.string(), value: z.unknown() });
/** The part of Jaeger's query API answer (GET /api/traces/{id}) that Hookline reads. */
const jaegerTraces = z.object({
  data: z.array(
    z.object({
      spans: z.array(
        z.object({
          spanID: z.string(),
          operationName: z.string(),
          references: z.array(z.object({ refType: z.string(), spanID: z.string() })).nullish(),
          startTime: z.number(),
          duration: z.number(),
          processID: z.string(),
          tags: z.array(tag).nullish(),
        }),
      ),
      processes: z.record(z.string(), z.object({ serviceName: z.string() })),
    }),
  ),
});

const QUERY_TIMEOUT_MS = 5_000;

/** Jaeger's query service (HOOKLINE_TRACE_QUERY_URL): the spans of one trace. */
export class JaegerQuery {
  constructor(private readonly baseUrl: string) {}

  /** The trace's spans; null when Jaeger has none of it (not yet flushed, or evicted). */
  async spans(traceId: string): Promise<StoredSpan[] | null> {
    const url = `${this.baseUrl}/api/traces/${traceId}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS), headers: { accept: 'application/json' } });
    } catch (error) {
      throw new TraceStoreError(`Jaeger at ${this.baseUrl} did not answer: ${(error as Error).message}`);
    }
    if (response.status === 404) return null;
    if (!response.ok) throw new TraceStoreError(`Jaeger at ${this.baseUrl} answered ${response.status}`);
    const parsed = jaegerTraces.safeParse(await response.json().catch(() => null));
    if (!parsed.success) throw new TraceStoreError(`Jaeger at ${this.baseUrl} answered with something other than a trace`);
    const trace = parsed.data.data[0];
    if (!trace || trace.spans.length === 0) return null;
    return trace.spans.map((span) => ({
      spanId: span.spanID,
      parentSpanId: span.references?.find((reference) => reference.refType === 'CHILD_OF')?.spanID ?? null,
      service: trace.processes[span.processID]?.serviceName ?? 'unknown',
      name: span.operationName,
      startMicros: span.startTime,
      durationMicros: span.duration,
      // OpenTelemetry's error status reaches Jaeger as the tag error=true (and otel.status_code=ERROR).
      error: (span.tags ?? []).some((t) => (t.key === 'error' && t.value === true) || (t.key === 'otel.status_code' && t.value === 'ERROR')),
    }));
  }
}
