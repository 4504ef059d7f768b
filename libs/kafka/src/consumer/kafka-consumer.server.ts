import type { EachBatchPayload } from 'kafkajs';
import { KeyedLimiter } from './keyed-limiter.js';
import { AbandonedError, type ConsumedMessage, KafkaServerBase, type KafkaServerOptions } from './kafka-server.base.js';
import { within } from '../within.js';
import { PartitionProgress } from './partition-progress.js';

export interface KafkaConsumerOptions extends KafkaServerOptions {
  /** Records with the same key processed at once, at most (in arrival order). */
  maxInFlightPerKey: number;
  /** Above this many unfinished records a partition is paused until half have finished. */
  maxPendingPerPartition: number;
}

/** A failing commit is logged at most this often: during a broker outage every finished record asks for one. */
const COMMIT_FAILURE_LOG_INTERVAL_MS = 10_000;

interface PartitionState {
  topic: string;
  partition: number;
  progress: PartitionProgress;
  committed: bigint | null;
  resume: (() => void) | null;
}

/**
 * A Nest microservice transport on kafkajs that does what Nest's own Kafka transport does not:
 * records of one partition are processed concurrently across keys (capped per key), and the
 * offset committed is never past the lowest unfinished record, so a crash or rebalance
 * re-delivers rather than loses (at-least-once).
 */
export class KafkaConsumerServer extends KafkaServerBase {
  private readonly limiter: KeyedLimiter;
  private partitions = new Map<string, PartitionState>();
  private readonly inFlight = new Set<Promise<void>>();
  private commitTimer: NodeJS.Timeout | null = null;
  private commitFailureLoggedAt = 0;

  constructor(protected override readonly options: KafkaConsumerOptions) {
    super(options);
    this.limiter = new KeyedLimiter(options.maxInFlightPerKey);
  }

  protected forgetFetched(): void {
    // Records still running from before finish, but their commits are dropped: they will be fetched
    // again. A partition paused for them is resumed now, since they no longer count (and those
    // that were retrying are abandoned): kafkajs keeps a pause across rebalances.
    for (const state of this.partitions.values()) this.resumeFetching(state);
    this.partitions = new Map();
  }

  private resumeFetching(state: PartitionState): void {
    const resume = state.resume;
    if (!resume) return;
    state.resume = null;
    try {
      resume();
    } catch {
      // The consumer that paused it is gone; its successor fetches the partition afresh.
    }
  }

  /** Hands every record of the batch to its handler and returns without waiting for them. */
  protected async onBatch({ batch, resolveOffset, heartbeat, pause, isRunning, isStale }: EachBatchPayload): Promise<void> {
    // A batch of a consumer that crashed meanwhile, or of a generation that is over, is fetched again.
    if (!isRunning() || isStale()) return;
    const id = `${batch.topic}:${batch.partition}`;
    let state = this.partitions.get(id);
    if (!state) {
      state = { topic: batch.topic, partition: batch.partition, progress: new PartitionProgress(), committed: null, resume: null };
      this.partitions.set(id, state);
    }
    for (const record of batch.messages) {
      if (this.stopping) return;
      state.progress.add(BigInt(record.offset));
      // Resolving moves the fetch position on; what is committed is decided as records finish.
      resolveOffset(record.offset);
      this.track(
        this.process(state, this.toConsumed(batch.topic, batch.partition, record)).catch((error: unknown) => {
          if (!(error instanceof AbandonedError)) throw error;
        }),
      );
    }
    if (state.progress.pending >= this.options.maxPendingPerPartition && !state.resume) state.resume = pause();
    await heartbeat();
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** What a record waits for before its handler runs: nothing here; a due time in DueTimeConsumerServer. */
  protected beforeHandling(_message: ConsumedMessage): Promise<void> | void {}

  private async process(state: PartitionState, message: ConsumedMessage): Promise<void> {
    const key = message.key?.toString('utf8') ?? `${message.partition}:${message.offset}`;
    await this.beforeHandling(message);
    await this.limiter.run(key, () => this.handleWithRetry(message));
    state.progress.finish(BigInt(message.offset));
    if (state.progress.pending <= this.options.maxPendingPerPartition / 2) this.resumeFetching(state);
    this.scheduleCommit();
  }

  /** Commits soon after progress, coalescing many finished records into one request. */
  private scheduleCommit(): void {
    if (this.commitTimer) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = null;
      void this.commit().catch((error: unknown) => {
        if (Date.now() - this.commitFailureLoggedAt < COMMIT_FAILURE_LOG_INTERVAL_MS) return;
        this.commitFailureLoggedAt = Date.now();
        this.options.logger.warn({ err: error }, 'offset commit failed; it is tried again with the next progress, or the records are fetched again');
      });
    }, 50);
  }

  private async commit(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    const committing: Array<{ state: PartitionState; previous: bigint | null; next: bigint }> = [];
    const offsets = [];
    for (const state of this.partitions.values()) {
      const next = state.progress.committable();
      if (next !== null && next !== state.committed) {
        offsets.push({ topic: state.topic, partition: state.partition, offset: next.toString() });
        committing.push({ state, previous: state.committed, next });
        state.committed = next;
      }
    }
    if (offsets.length === 0) return;
    try {
      await consumer.commitOffsets(offsets);
    } catch (error) {
      // Not committed after all: the next commit tries these offsets again.
      for (const { state, previous, next } of committing) if (state.committed === next) state.committed = previous;
      throw error;
    }
  }

  /**
   * Stops fetching, lets in-flight records finish, commits what finished and leaves the group,
   * all within the shutdown grace (shutdownDeadlines), the broker there or not.
   */
  async close(): Promise<void> {
    const deadlines = this.shutdownDeadlines();
    this.pauseFetching();
    await within(Promise.allSettled([...this.inFlight]), deadlines.work - Date.now(), 'in-flight records').catch(() => undefined);
    this.beginStopping();
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = null;
    await within(this.commit(), deadlines.commit - Date.now(), 'final commit').catch((error: unknown) =>
      this.options.logger.warn({ reason: (error as Error).message }, 'final commit failed; the uncommitted records will be fetched again'),
    );
    await this.disconnect(deadlines.leave);
  }
}
