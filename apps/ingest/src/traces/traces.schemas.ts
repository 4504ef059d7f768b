import { z } from 'zod';
import { named, timestamp } from '../http/schemas.js';

/** One span of a trace, placed on the trace's time line. */
export const TraceSpanOut = named(
  'TraceSpanOut',
  z.object({
    spanId: z.string(),
    /** The span it runs in, or null for the trace's root (or a span whose parent the store lost). */
    parentSpanId: z.string().nullable(),
    /** The service that recorded it, as the trace store names it (hookline-ingest, hookline-delivery…). */
    service: z.string(),
    name: z.string(),
    startTime: timestamp,
    /** Milliseconds from the trace's first span to this one's start. */
    offsetMs: z.number(),
    durationMs: z.number(),
    /** Whether the span recorded an error status. */
    error: z.boolean(),
  }),
);
export type TraceSpanOut = z.output<typeof TraceSpanOut>;

/** A trace of a message: the link to the operator's trace viewer and, when a trace store is set, its spans. */
export const MessageTraceOut = named(
  'MessageTraceOut',
  z.object({
    traceId: z.string(),
    /** HOOKLINE_TRACE_LINK with this trace id; null when it is not set. */
    link: z.string().nullable(),
    /** The spans in start order; null when they could not be read (`detail` says why). */
    spans: z.array(TraceSpanOut).nullable(),
    detail: z.string().nullable(),
  }),
);
export type MessageTraceOut = z.output<typeof MessageTraceOut>;

/** The message's own trace first, then each other trace an attempt of it was made in (resends, recoveries, replays). */
export const MessageTracesOut = named('MessageTracesOut', z.object({ data: z.array(MessageTraceOut) }));
export type MessageTracesOut = z.output<typeof MessageTracesOut>;
