import type { RetryTier } from '@hookline/contracts';

export interface FailedAttempt {
  /** The attempt just made, 1 for the first. */
  attempt: number;
  /** When attempt 1 was made; the dead-letter window runs from here. */
  firstAttemptAt: Date;
  attemptedAt: Date;
  statusCode: number | null;
  retryAfterMs: number | null;
}

export type NextStep =
  | { kind: 'retry'; tier: RetryTier; dueAt: Date }
  | { kind: 'dead'; reason: string }
  | { kind: 'gone' };

export interface RetryPolicyOptions {
  /** Delay before retry n (index n - 1), as HOOKLINE_RETRY_SCHEDULE gives it. */
  scheduleMs: readonly number[];
  /** One topic per distinct delay, shortest first. */
  tiers: readonly RetryTier[];
  /** ± fraction applied to each delay. */
  jitter: number;
  deadLetterAfterMs: number;
  random?: () => number;
}

/**
 * Decides what follows a failed attempt: the retry tier and due time of the next one, the
 * dead-letter topic once the schedule or the window is spent, or nothing for a 410 Gone.
 */
export class RetryPolicy {
  private readonly random: () => number;

  constructor(private readonly options: RetryPolicyOptions) {
    this.random = options.random ?? Math.random;
  }

  next(failed: FailedAttempt): NextStep {
    if (failed.statusCode === 410) return { kind: 'gone' };
    const scheduled = this.options.scheduleMs[failed.attempt - 1];
    if (scheduled === undefined) {
      return { kind: 'dead', reason: `all ${this.options.scheduleMs.length} retries failed` };
    }
    const jittered = scheduled * (1 + this.options.jitter * (2 * this.random() - 1));
    // A receiver asking to wait (429/503 Retry-After) waits at least that long, in a tier that long.
    const asked = (failed.statusCode === 429 || failed.statusCode === 503) && failed.retryAfterMs !== null ? failed.retryAfterMs : 0;
    const delayMs = Math.max(jittered, asked);
    const tier =
      asked > scheduled
        ? (this.options.tiers.find((candidate) => candidate.delayMs >= asked) ?? this.options.tiers.at(-1)!)
        : this.options.tiers.find((candidate) => candidate.delayMs === scheduled)!;
    const dueAt = new Date(failed.attemptedAt.getTime() + delayMs);
    if (this.pastWindow(dueAt, failed.firstAttemptAt)) {
      return { kind: 'dead', reason: `the next attempt would fall past the ${this.options.deadLetterAfterMs} ms window` };
    }
    return { kind: 'retry', tier, dueAt };
  }

  /**
   * For a task postponed without an attempt (open circuit, rate limit) until `dueAt`: dead once
   * that falls past its window, so an endpoint that never recovers dead-letters its tasks on the
   * same clock as the ones it failed, instead of postponing them until it is disabled.
   */
  postponement(dueAt: Date, windowStart: Date): { kind: 'postpone' } | { kind: 'dead'; reason: string } {
    return this.pastWindow(dueAt, windowStart)
      ? { kind: 'dead', reason: `postponed past the ${this.options.deadLetterAfterMs} ms window` }
      : { kind: 'postpone' };
  }

  private pastWindow(dueAt: Date, windowStart: Date): boolean {
    return dueAt.getTime() > windowStart.getTime() + this.options.deadLetterAfterMs;
  }
}
