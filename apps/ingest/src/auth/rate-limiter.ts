/**
 * Token buckets per caller, held in this process's memory: each ingest instance limits on its
 * own, so N instances behind a load balancer allow up to N times the rate in total.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  readonly burst: number;

  /** `perSecond` requests per second per key on average, up to `burst` at once; 0 for no limit. */
  constructor(
    readonly perSecond: number,
    burst = perSecond * 2,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.burst = Math.max(1, burst);
  }

  /** Takes a token for the key: 0 if the request may go ahead, else how many ms until one is free. */
  take(key: string): number {
    const wait = this.wait(key);
    if (wait === 0 && this.perSecond > 0) this.buckets.get(key)!.tokens -= 1;
    return wait;
  }

  /** How many ms until the key has a token (0: it has one now), taking none. */
  wait(key: string): number {
    if (this.perSecond <= 0) return 0;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) * this.perSecond) / 1000);
    bucket.at = now;
    if (this.buckets.size >= 10_000 && !this.buckets.has(key)) this.prune(now);
    this.buckets.set(key, bucket);
    return bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) * 1000) / this.perSecond);
  }

  /** Forgets the keys whose buckets have refilled: they would start full anyway. */
  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) * this.perSecond) / 1000 >= this.burst) this.buckets.delete(key);
    }
  }
}
