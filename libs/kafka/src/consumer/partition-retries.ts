import type { Logger } from 'pino';

const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 30_000;

/** A record's failure, as the partition's retry state reports it. */
export interface FailingRecord {
  offset: string;
  error: unknown;
}

/**
 * The retries of one partition's failing records, in shared rounds. A record whose handler
 * failed waits for the partition's next round; the first failure after a round schedules the
 * next one, each round twice as far off as the last (200 ms up to 30 s) while any record keeps
 * failing. So a database outage costs one log line per round and partition, not one per record
 * and attempt, and the dependency is asked again at a pace that falls off, not by every record
 * on its own clock. Once no record of the partition is failing, the next failure starts at
 * 200 ms again.
 */
export class PartitionRetries {
  private rounds = 0;
  private nextRound: { promise: Promise<void>; wake: () => void; timer: NodeJS.Timeout } | null = null;
  private readonly failing = new Map<string, unknown>();
  private since: number | null = null;

  constructor(
    private readonly topic: string,
    private readonly partition: number,
    private readonly logger: Logger,
  ) {}

  /** Since when some record of the partition has been failing, and the oldest such record. */
  get stuck(): { since: number; record: FailingRecord } | null {
    if (this.since === null) return null;
    const [offset, error] = [...this.failing].reduce((oldest, entry) => (BigInt(entry[0]) < BigInt(oldest[0]) ? entry : oldest));
    return { since: this.since, record: { offset, error } };
  }

  /** The record failed: resolves at the partition's next retry round (or at once when woken). */
  failed(offset: string, error: unknown): Promise<void> {
    this.failing.set(offset, error);
    this.since ??= Date.now();
    if (!this.nextRound) {
      const delayMs = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.rounds);
      this.rounds++;
      let wake!: () => void;
      const promise = new Promise<void>((resolve) => (wake = resolve));
      const round = { promise, wake, timer: setTimeout(() => this.runRound(round), delayMs) };
      this.nextRound = round;
      this.logger.error(
        { err: error, topic: this.topic, partition: this.partition, offset, failingRecords: this.failing.size, retryInMs: delayMs },
        'handler failed; the partition retries its failing records',
      );
    }
    return this.nextRound.promise;
  }

  /** The record succeeded, or was given up (its consumer stopped, or it was handed elsewhere). */
  settled(offset: string): void {
    if (!this.failing.delete(offset) || this.failing.size > 0) return;
    this.logger.info({ topic: this.topic, partition: this.partition, failingForMs: Date.now() - this.since!, rounds: this.rounds }, 'partition recovered');
    this.rounds = 0;
    this.since = null;
    if (this.nextRound) this.runRound(this.nextRound);
  }

  /** Lets every waiting record go at once (the consumer is stopping or lost the partition). */
  wakeAll(): void {
    if (this.nextRound) this.runRound(this.nextRound);
  }

  private runRound(round: NonNullable<PartitionRetries['nextRound']>): void {
    clearTimeout(round.timer);
    if (this.nextRound === round) this.nextRound = null;
    round.wake();
  }
}
