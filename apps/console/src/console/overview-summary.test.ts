import { describe, expect, it } from 'vitest';
import type { StatsOverview } from '../shared/api';
import { labelMs, summarize } from './overview-summary';

const overview = (patch: Partial<StatsOverview> = {}): StatsOverview => ({
  since: '2026-12-05T08:00:00.000Z',
  until: '2026-12-05T08:03:30.000Z',
  bucket: '1m',
  buckets: [
    { start: '2026-12-05T08:00:00.000Z', delivered: 10, failed: 2, dead: 0 },
    { start: '2026-12-05T08:01:00.000Z', delivered: 30, failed: 6, dead: 1 },
    { start: '2026-12-05T08:02:00.000Z', delivered: 45, failed: 0, dead: 0 },
    { start: '2026-12-05T08:03:00.000Z', delivered: 7, failed: 1, dead: 2 },
  ],
  successRate: 92 / 101,
  retryTiers: [
    { tier: '5s', topic: 'hookline.retry.5s', waiting: 3 },
    { tier: '5m', topic: 'hookline.retry.5m', waiting: 4 },
  ],
  deadLetters: 12,
  ...patch,
});

describe('summarize', () => {
  it('reads deliveries per minute from the last whole bucket, not the one still filling', () => {
    expect(summarize(overview(), new Date('2026-12-05T08:03:30.000Z'))).toEqual({ deliveredPerMinute: 45, successPercent: '91.1', waitingRetries: 7, attempts: 101, dead: 3 });
  });

  it('scales a wider bucket to a minute, and has no rate before a bucket is whole', () => {
    const wide = overview({ bucket: '5m', until: '2026-12-05T08:10:00.000Z', buckets: [{ start: '2026-12-05T08:00:00.000Z', delivered: 100, failed: 0, dead: 0 }, { start: '2026-12-05T08:05:00.000Z', delivered: 3, failed: 0, dead: 0 }] });
    expect(summarize(wide, new Date('2026-12-05T08:07:00.000Z')).deliveredPerMinute).toBe(20);
    expect(summarize(wide, new Date('2026-12-05T08:04:00.000Z')).deliveredPerMinute).toBeNull();
  });

  it('says unknown, not zero, when Kafka did not answer for a tier or nothing was attempted', () => {
    const summary = summarize(overview({ successRate: null, buckets: [], retryTiers: [{ tier: '5s', topic: 'hookline.retry.5s', waiting: null }] }));
    expect(summary).toMatchObject({ successPercent: null, waitingRetries: null, attempts: 0, deliveredPerMinute: null });
  });

  it('reads the duration labels the API writes', () => {
    expect([labelMs('250ms'), labelMs('10s'), labelMs('15m'), labelMs('2h'), labelMs('1d')]).toEqual([250, 10_000, 900_000, 7_200_000, 86_400_000]);
    expect(() => labelMs('soon')).toThrow('not a duration: soon');
  });
});
