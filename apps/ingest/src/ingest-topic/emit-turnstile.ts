interface Entry {
  offset: bigint;
  /** Resolves when the record has left (emitted, or finished without an event); rejects if abandoned. */
  left: Promise<void>;
  leave: () => void;
  abandon: (reason: unknown) => void;
}

/** One record's place in its lane: `turn()` before emitting, `leave()` once emitted (or nothing to emit). */
export interface Ticket {
  turn(): Promise<void>;
  leave(): void;
}

/**
 * Keeps the emits of a lane of the ingest topic (one partition, one record key, one ordering key)
 * in the order of their offsets, while everything before the emit (validation, the coalesced
 * insert) runs concurrently: a record may emit only once every earlier record of its lane has
 * emitted, or finished without an event. A failed record keeps its ticket (the transport retries
 * it in place and finds the same one), so the records behind it wait. Records enter in offset
 * order (the transport starts their handlers so).
 *
 * Each record comes with its consumer generation's `superseded` signal. When it aborts (a
 * rebalance, the consumer stopping), every ticket taken is abandoned with the signal's reason,
 * which the transport knows as the record given up (no retry round): those records are fetched
 * again, by this consumer's next generation or by another one.
 */
export class EmitTurnstile {
  /** The signal of the generation whose records hold the lanes. */
  private generation: AbortSignal | null = null;
  private lanes = new Map<string, Entry[]>();

  enter(lane: string, offset: string, superseded: AbortSignal): Ticket {
    if (superseded.aborted) return { turn: () => Promise.reject(superseded.reason as Error), leave: () => undefined };
    if (superseded !== this.generation) this.follow(superseded);
    const at = BigInt(offset);
    let entries = this.lanes.get(lane);
    if (!entries) {
      entries = [];
      this.lanes.set(lane, entries);
    }
    const entry = entries.find((candidate) => candidate.offset === at) ?? this.add(lane, entries, at);
    return {
      turn: () => Promise.all(entries.filter((earlier) => earlier.offset < at).map((earlier) => earlier.left)).then(() => undefined),
      leave: entry.leave,
    };
  }

  /**
   * A new generation takes the lanes. A signal is only replaced once aborted, so the previous
   * generation's tickets were abandoned already; one listener per generation, not per record.
   */
  private follow(superseded: AbortSignal): void {
    this.generation = superseded;
    superseded.addEventListener(
      'abort',
      () => {
        for (const entries of this.lanes.values()) for (const entry of entries) entry.abandon(superseded.reason);
        this.lanes = new Map();
        this.generation = null;
      },
      { once: true },
    );
  }

  private add(lane: string, entries: Entry[], offset: bigint): Entry {
    let leave!: () => void;
    let abandon!: (reason: unknown) => void;
    const left = new Promise<void>((resolve, reject) => {
      leave = () => {
        const index = entries.indexOf(entry);
        if (index >= 0) entries.splice(index, 1);
        if (entries.length === 0 && this.lanes.get(lane) === entries) this.lanes.delete(lane);
        resolve();
      };
      abandon = reject;
    });
    // Nobody may be waiting when it is abandoned.
    left.catch(() => undefined);
    const entry: Entry = { offset, left, leave, abandon };
    const index = entries.findIndex((candidate) => candidate.offset > offset);
    entries.splice(index < 0 ? entries.length : index, 0, entry);
    return entry;
  }

  /** Lanes with records in them, for tests: nothing is kept once every record has left. */
  get size(): number {
    return this.lanes.size;
  }
}
