import type { TraceSpan } from '../shared/api';

/** A span with its place in the drawing: its depth in the trace and its bar, in percent of the trace's length. */
export interface PlacedSpan {
  span: TraceSpan;
  depth: number;
  left: number;
  width: number;
}

/** The narrowest bar drawn, so that a span of a few microseconds stays visible. */
const MIN_WIDTH = 0.5;

/**
 * The spans in start order, each with its depth (how many of its ancestors the trace holds) and
 * its bar on a time line from the first span's start to the last one's end.
 */
export function placeSpans(spans: readonly TraceSpan[]): PlacedSpan[] {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const length = Math.max(...spans.map((span) => span.offsetMs + span.durationMs), Number.EPSILON);
  const depthOf = (span: TraceSpan): number => {
    let depth = 0;
    const seen = new Set([span.spanId]);
    for (let parent = span.parentSpanId; parent !== null && byId.has(parent) && !seen.has(parent); parent = byId.get(parent)!.parentSpanId) {
      seen.add(parent);
      depth += 1;
    }
    return depth;
  };
  return [...spans]
    .sort((a, b) => a.offsetMs - b.offsetMs)
    .map((span) => {
      const left = (span.offsetMs / length) * 100;
      return { span, depth: depthOf(span), left, width: Math.min(Math.max((span.durationMs / length) * 100, MIN_WIDTH), 100 - left) };
    });
}
