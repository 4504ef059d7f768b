/**
 * Runs tasks concurrently across keys while capping how many run at once for any one key;
 * tasks over the cap wait in arrival order. Delivery uses the endpoint id as the key, so a
 * slow endpoint occupies at most `maxPerKey` slots and never blocks the others.
 */
export class KeyedLimiter {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly maxPerKey: number) {
    if (!(maxPerKey >= 1)) throw new RangeError('maxPerKey must be at least 1');
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    if ((this.running.get(key) ?? 0) >= this.maxPerKey) {
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(key) ?? [];
        queue.push(resolve);
        this.waiting.set(key, queue);
      });
    } else {
      this.running.set(key, (this.running.get(key) ?? 0) + 1);
    }
    try {
      return await task();
    } finally {
      this.release(key);
    }
  }

  private release(key: string): void {
    const queue = this.waiting.get(key);
    const next = queue?.shift();
    if (queue?.length === 0) this.waiting.delete(key);
    if (next) {
      next(); // the slot passes straight to the next waiter
      return;
    }
    const count = (this.running.get(key) ?? 1) - 1;
    if (count === 0) this.running.delete(key);
    else this.running.set(key, count);
  }
}
