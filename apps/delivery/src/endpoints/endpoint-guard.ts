/** What may happen to a task for an endpoint now. */
export type Admission = { kind: 'go' } | { kind: 'wait'; ms: number } | { kind: 'defer'; ms: number; reason: string };

export interface EndpointGuardOptions {
  /** Failures in a row that open an endpoint's circuit. */
  threshold: number;
  /** How long a circuit first stays open; doubled at each failed probe, up to 32 times. */
  cooldownMs: number;
  /** A wait for a rate-limit slot longer than this is deferred through the retry tiers. */
  maxInlineWaitMs: number;
  now?: () => number;
}

interface EndpointState {
  /** Start times of the requests of the last second (sliding log), oldest first. */
  recent: number[];
  failuresInARow: number;
  lastFailureAt: number;
  openUntil: number;
  cooldownMs: number;
  probing: boolean;
}

/**
 * A second plus a guard for the jitter between a request's start and its arrival, so the
 * receiver, not only the sender, never counts more than the rate in any second.
 */
const WINDOW_MS = 1_100;

/**
 * Per-endpoint admission in the delivery process. All tasks of an endpoint are keyed to one
 * partition, consumed by one delivery instance at a time, so these limits hold across instances.
 * - Rate limit (`throttleRate`): at most that many requests start in any second; a short wait
 *   is taken in place, a longer one defers the task (it is not an attempt and not a failure).
 * - Circuit breaker: after `threshold` failures in a row, tasks are deferred until the cooldown
 *   ends, then one probe goes through; its success closes the circuit, its failure doubles the
 *   cooldown. Deferred tasks spend no attempts, so the retry budget is not consumed faster.
 */
export class EndpointGuard {
  private readonly states = new Map<string, EndpointState>();
  private readonly now: () => number;

  constructor(private readonly options: EndpointGuardOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * `changedAt` is when the endpoint was last changed through the API: a change after its last
   * failure (re-enabled, new URL) closes its circuit again.
   */
  admit(endpointId: string, ratePerSecond: number | null, changedAt = 0): Admission {
    const state = this.state(endpointId);
    const now = this.now();
    if (state.failuresInARow > 0 && changedAt > state.lastFailureAt) this.record(endpointId, true);
    if (state.failuresInARow >= this.options.threshold) {
      if (now < state.openUntil || state.probing) {
        return { kind: 'defer', ms: Math.max(state.openUntil - now, 1_000), reason: 'circuit open: the endpoint failed every recent attempt' };
      }
      state.probing = true; // half-open: this task is the one probe
    }
    if (ratePerSecond !== null) {
      while (state.recent.length > 0 && state.recent[0]! <= now - WINDOW_MS) state.recent.shift();
      if (state.recent.length >= ratePerSecond) {
        const ms = state.recent[state.recent.length - ratePerSecond]! + WINDOW_MS - now;
        if (state.probing) state.probing = false;
        return ms > this.options.maxInlineWaitMs
          ? { kind: 'defer', ms, reason: `rate limit: ${ratePerSecond}/s` }
          : { kind: 'wait', ms };
      }
      state.recent.push(now);
    }
    return { kind: 'go' };
  }

  /**
   * The outcome of an attempt that was admitted. Up to a few requests of an endpoint run at once,
   * so failures of requests admitted before the circuit opened arrive after it: only the
   * threshold being reached opens it, and only the probe's failure extends it.
   */
  record(endpointId: string, ok: boolean): void {
    const state = this.state(endpointId);
    if (ok) {
      Object.assign(state, { failuresInARow: 0, openUntil: 0, cooldownMs: this.options.cooldownMs, probing: false });
      return;
    }
    state.failuresInARow++;
    state.lastFailureAt = this.now();
    if (state.probing) {
      state.probing = false;
      state.cooldownMs = Math.min(state.cooldownMs * 2, this.options.cooldownMs * 32);
      state.openUntil = this.now() + state.cooldownMs;
    } else if (state.failuresInARow === this.options.threshold) {
      state.openUntil = this.now() + state.cooldownMs;
    }
  }

  private state(endpointId: string): EndpointState {
    let state = this.states.get(endpointId);
    if (!state) {
      if (this.states.size > 100_000) this.states.clear();
      state = { recent: [], failuresInARow: 0, lastFailureAt: 0, openUntil: 0, cooldownMs: this.options.cooldownMs, probing: false };
      this.states.set(endpointId, state);
    }
    return state;
  }
}
