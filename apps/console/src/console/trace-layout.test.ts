import { describe, expect, it } from 'vitest';
import type { TraceSpan } from '../shared/api';
import { placeSpans } from './trace-layout';

const span = (spanId: string, parentSpanId: string | null, offsetMs: number, durationMs: number): TraceSpan => ({
  spanId,
  parentSpanId,
  service: 'hookline-delivery',
  name: spanId,
  startTime: '2026-01-01T00:00:00.000Z',
  offsetMs,
  durationMs,
  error: false,
});

describe('placeSpans', () => {
  it('puts each span at its depth, its bar in percent of the trace from the first start to the last end', () => {
    const placed = placeSpans([span('child', 'root', 50, 50), span('root', null, 0, 100), span('grandchild', 'child', 60, 10)]);
    expect(placed.map(({ span: { spanId }, depth, left, width }) => ({ spanId, depth, left, width }))).toEqual([
      { spanId: 'root', depth: 0, left: 0, width: 100 },
      { spanId: 'child', depth: 1, left: 50, width: 50 },
      { spanId: 'grandchild', depth: 2, left: 60, width: 10 },
    ]);
  });

  it('keeps a tiny span visible, inside the line, and treats a parent the trace lacks as a root', () => {
    const placed = placeSpans([span('root', null, 0, 1_000), span('orphan', 'lost', 999.99, 0.001)]);
    expect(placed[1]!.depth).toBe(0);
    expect(placed[1]!.left).toBeCloseTo(99.999);
    // Half a percent would overflow the line: the bar stops at its end.
    expect(placed[1]!.width).toBeCloseTo(0.001);
    expect(placeSpans([span('a', null, 0, 0)])[0]).toMatchObject({ left: 0, width: 0.5 });
  });

  it('ends on a cycle of parents instead of looping', () => {
    expect(placeSpans([span('a', 'b', 0, 1), span('b', 'a', 0, 1)]).map((placed) => placed.depth)).toEqual([1, 1]);
  });
});
