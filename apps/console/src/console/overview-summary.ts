import type { StatsOverview } from '../shared/api';

/** What the overview page leads with, from one answer of GET /api/v1/stats/overview. */
export interface OverviewSummary {
  /** Attempts that succeeded per minute in the last whole bucket (the current one is still filling); null without a whole bucket. */
  deliveredPerMinute: number | null;
  /** Of every attempt in the range, the share that succeeded, as a percentage with one decimal; null without attempts. */
  successPercent: string | null;
  /** Tasks waiting in every retry tier; null when Kafka did not answer for one of them. */
  waitingRetries: number | null;
  attempts: number;
  dead: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration label as the API writes it (`1m`, `15m`, `1h`), in milliseconds. */
export function labelMs(label: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(label);
  if (!match) throw new Error(`not a duration: ${label}`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

export function summarize(overview: StatsOverview, now: Date = new Date()): OverviewSummary {
  const bucketMs = labelMs(overview.bucket);
  const whole = overview.buckets.filter((bucket) => Date.parse(bucket.start) + bucketMs <= Math.min(now.getTime(), Date.parse(overview.until)));
  const last = whole.at(-1);
  const attempts = overview.buckets.reduce((sum, bucket) => sum + bucket.delivered + bucket.failed, 0);
  return {
    deliveredPerMinute: last ? Math.round((last.delivered * 60_000) / bucketMs) : null,
    successPercent: overview.successRate === null ? null : (overview.successRate * 100).toFixed(1),
    waitingRetries: overview.retryTiers.some((tier) => tier.waiting === null) ? null : overview.retryTiers.reduce((sum, tier) => sum + tier.waiting!, 0),
    attempts,
    dead: overview.buckets.reduce((sum, bucket) => sum + bucket.dead, 0),
  };
}
