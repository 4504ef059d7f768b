import DataLoader from 'dataloader';

/**
 * The linger for batches of database statements. At 1,000 events/s (npm run bench -- --events
 * 30000 --rate 1000 --no-baseline, three runs each) 5 ms took the machine from 97-99% busy to
 * 85-89% and the p99 from 277-436 ms to 137-251 ms; 10 ms was no better. Each statement is a round
 * trip that costs both sides CPU, and at moderate load most batches held one or two items.
 */
export const STATEMENT_LINGER_MS = 5;

export interface CoalescerOptions {
  /** Most items in one batch; more start the next batch. */
  maxBatchSize: number;
  /** Batches running at once; further ones gather items until one finishes. */
  maxConcurrentBatches: number;
  /**
   * How long a batch gathers before it is dispatched when a slot is free (0: until the next
   * turn of the event loop). Trades that much latency for fewer, larger batches at moderate load.
   */
  lingerMs?: number;
}

/**
 * Turns many concurrent single-item calls into few batch calls, each caller getting its own
 * item's result: an Error in the results rejects that item's caller alone, a thrown error every
 * caller of the batch. A batch is dispatched on the next turn of the event loop (or after
 * `lingerMs`), or, when `maxConcurrentBatches` are already running, as soon as one of them
 * finishes: a busy system sends ever larger batches (the self-clocking of Nagle's algorithm).
 * DataLoader (made for this, without its cache) does the gathering and the per-item results.
 */
export class Coalescer<In, Out = void> {
  private readonly loader: DataLoader<In, Out>;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    run: (items: readonly In[]) => Promise<ReadonlyArray<Out | Error> | void>,
    private readonly options: CoalescerOptions,
  ) {
    if (!(options.maxConcurrentBatches >= 1)) throw new RangeError('maxConcurrentBatches must be at least 1');
    this.loader = new DataLoader<In, Out>(
      async (items) => {
        try {
          const results = await run(items);
          return results ?? (items.map(() => undefined) as Out[]);
        } finally {
          this.finished();
        }
      },
      { cache: false, maxBatchSize: options.maxBatchSize, batchScheduleFn: (dispatch) => this.schedule(dispatch) },
    );
  }

  /** Resolves with this item's result once its batch has run. */
  add(item: In): Promise<Out> {
    return this.loader.load(item);
  }

  private schedule(dispatch: () => void): void {
    if (this.running < this.options.maxConcurrentBatches) {
      this.running++;
      if (this.options.lingerMs) setTimeout(dispatch, this.options.lingerMs);
      else setImmediate(dispatch);
    } else {
      this.waiting.push(dispatch);
    }
  }

  private finished(): void {
    // The slot passes straight to the batch that gathered meanwhile.
    const next = this.waiting.shift();
    if (next) setImmediate(next);
    else this.running--;
  }
}
