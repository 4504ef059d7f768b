/** The record's turn will never come: its consumer generation is over, and it will be fetched again. */
export class TurnAbandoned extends Error {
  constructor() {
    super('ingest record abandoned by a rebalance before its turn to emit');
  }
}

interface Entry {
  offset: bigint;
  /** Resolves when the record has left (emitted, or finished without an event); rejects if abandoned. */
  left: Promise<void>;
  leave: () => void;
  abandon: () => void;
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
 * order (the transport starts their handlers so); a new consumer generation abandons every
 * ticket of the older ones, whose records are fetched again.
 */
export class EmitTurnstile {
  private generation = -1;
  private lanes = new Map<string, Entry[]>();

  enter(lane: string, offset: string, generation: number): Ticket {
    if (generation > this.generation) {
      for (const entries of this.lanes.values()) for (const entry of entries) entry.abandon();
      this.lanes = new Map();
      this.generation = generation;
    }
    if (generation < this.generation) {
      return { turn: () => Promise.reject(new TurnAbandoned()), leave: () => undefined };
    }
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

  private add(lane: string, entries: Entry[], offset: bigint): Entry {
    let leave!: () => void;
    let abandon!: () => void;
    const left = new Promise<void>((resolve, reject) => {
      leave = () => {
        const index = entries.indexOf(entry);
        if (index >= 0) entries.splice(index, 1);
        if (entries.length === 0 && this.lanes.get(lane) === entries) this.lanes.delete(lane);
        resolve();
      };
      abandon = () => reject(new TurnAbandoned());
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
