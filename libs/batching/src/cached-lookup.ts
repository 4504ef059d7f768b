import { Coalescer, STATEMENT_LINGER_MS } from './coalescer.js';

export interface CachedLookupOptions<V> {
  /** How long a loaded value is answered from memory: how long a change may take to be seen. */
  ttlMs: number;
  /** Loads running at once (each one query for many keys). */
  maxConcurrentLoads?: number;
  /** Which loaded values are kept; the rest (say, "not found") are loaded again by the next caller. */
  keep?: (value: V) => boolean;
  /** The clock; tests move it. */
  now?: () => number;
}

/** Past this many keys the cache starts empty again: a bound on memory for a rare case, not an eviction policy. */
const MAX_ENTRIES = 50_000;

/**
 * Values looked up by key and kept briefly: a busy key costs one load per TTL instead of one per
 * use. Callers that find a key missing or expired share its one load, and loads of different keys
 * share one batch (a Coalescer). A failed load is not kept: the next caller tries again.
 */
export class CachedLookup<K, V> {
  private readonly entries = new Map<K, { value: Promise<V>; until: number }>();
  private readonly loads: Coalescer<K, V>;
  private readonly now: () => number;

  constructor(
    loadAll: (keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>,
    private readonly options: CachedLookupOptions<V>,
  ) {
    this.loads = new Coalescer(loadAll, { maxBatchSize: 500, maxConcurrentBatches: options.maxConcurrentLoads ?? 2, lingerMs: STATEMENT_LINGER_MS });
    this.now = options.now ?? Date.now;
  }

  /** `fresh` skips the cache, and the value it loads is kept for the next caller. */
  get(key: K, { fresh = false } = {}): Promise<V> {
    const cached = this.entries.get(key);
    if (!fresh && cached && cached.until > this.now()) return cached.value;
    const value = this.loads.add(key);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const entry = { value, until: this.now() + this.options.ttlMs };
    this.entries.set(key, entry);
    const drop = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    value.then((loaded) => {
      if (this.options.keep && !this.options.keep(loaded)) drop();
    }, drop);
    return value;
  }

  /** Forgets every value, for a change this process made: its next callers see it at once. */
  clear(): void {
    this.entries.clear();
  }
}
