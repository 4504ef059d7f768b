import { retryTiers } from '@hookline/contracts';
import { RetryPolicy } from '../../src/retries/retry-policy.js';

const schedule = [5_000, 300_000, 1_800_000, 36_000_000, 36_000_000];
const tiers = retryTiers('h', schedule);
const t0 = new Date('2026-01-01T00:00:00Z');
const failure = (attempt: number, extra: Partial<Parameters<RetryPolicy['next']>[0]> = {}) => ({
  attempt,
  firstAttemptAt: t0,
  attemptedAt: t0,
  statusCode: 500,
  retryAfterMs: null,
  ...extra,
});

describe('RetryPolicy', () => {
  it('uses the tier of the scheduled delay, with the jitter applied to the due time', () => {
    const low = new RetryPolicy({ scheduleMs: schedule, tiers, jitter: 0.2, deadLetterAfterMs: 48 * 3_600_000, random: () => 0 });
    const high = new RetryPolicy({ scheduleMs: schedule, tiers, jitter: 0.2, deadLetterAfterMs: 48 * 3_600_000, random: () => 0.999999 });
    expect(low.next(failure(2))).toEqual({ kind: 'retry', tier: { delayMs: 300_000, topic: 'h.retry.5m' }, dueAt: new Date(t0.getTime() + 240_000) });
    const late = high.next(failure(2));
    expect(late.kind === 'retry' && late.dueAt.getTime() - t0.getTime()).toBeCloseTo(360_000, -1);
  });

  it('honours Retry-After on 429 and 503 with a tier at least that long', () => {
    const policy = new RetryPolicy({ scheduleMs: schedule, tiers, jitter: 0, deadLetterAfterMs: 48 * 3_600_000 });
    expect(policy.next(failure(1, { statusCode: 429, retryAfterMs: 60_000 }))).toMatchObject({ tier: { topic: 'h.retry.5m' }, dueAt: new Date(t0.getTime() + 60_000) });
    expect(policy.next(failure(1, { statusCode: 503, retryAfterMs: 4_000 }))).toMatchObject({ tier: { topic: 'h.retry.5s' } });
    // Other statuses do not get to choose their delay.
    expect(policy.next(failure(1, { statusCode: 500, retryAfterMs: 60_000 }))).toMatchObject({ tier: { topic: 'h.retry.5s' } });
  });

  it('dead-letters once the schedule or the window is spent, and stops on 410', () => {
    const policy = new RetryPolicy({ scheduleMs: schedule, tiers, jitter: 0, deadLetterAfterMs: 3_600_000 });
    expect(policy.next(failure(6))).toMatchObject({ kind: 'dead' });
    expect(policy.next(failure(3, { attemptedAt: new Date(t0.getTime() + 3_000_000) }))).toMatchObject({ kind: 'dead' });
    expect(policy.next(failure(3, { attemptedAt: new Date(t0.getTime() + 1_000_000) }))).toMatchObject({ kind: 'retry' });
    expect(policy.next(failure(1, { statusCode: 410 }))).toEqual({ kind: 'gone' });
  });

  it('lets a postponed task wait inside its window, and dead-letters one whose wait would pass it', () => {
    const policy = new RetryPolicy({ scheduleMs: schedule, tiers, jitter: 0, deadLetterAfterMs: 48 * 3_600_000 });
    const at = (ms: number) => new Date(t0.getTime() + ms);
    expect(policy.postponement(at(48 * 3_600_000), t0)).toEqual({ kind: 'postpone' });
    expect(policy.postponement(at(48 * 3_600_000 + 1), t0)).toEqual({ kind: 'dead', reason: `postponed past the ${48 * 3_600_000} ms window` });
  });
});
