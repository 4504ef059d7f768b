import type { EachBatchPayload } from 'kafkajs';
import { KeyedLimiter } from './keyed-limiter.js';
import { AbandonedError, type ConsumedMessage, KafkaServerBase, type KafkaServerOptions } from './kafka-server.base.js';
import { within } from '../within.js';
import { PartitionProgress } from './partition-progress.js';

/** A partition's committable offset: every record below it has finished. */
export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** Told how far each partition's records have finished, as they finish. */
export interface ProgressListener {
  /** Told again (with the offsets then reached) after a failure, until it succeeds. */
  progressed(offsets: CommittedOffset[]): Promise<void>;
}

export interface KafkaConsumerOptions extends KafkaServerOptions {
  /** Records with the same key processed at once, at most (in arrival order). */
  maxInFlightPerKey: number;
  /** Above this many unfinished records a partition is paused until half have finished. */
  maxPendingPerPartition: number;
  /**
   * Bytes (keys and values) of unfinished records held at once, in all. Each partition assigned to
   * this member may hold an equal share; above it, it is paused until it is down to half its share.
   * A count alone would let large records (payloads up to 256 KiB) take the process's memory.
   */
  maxPendingBytes: number;
  /** Told, with each commit, the offsets committed (fanout publishes its progress so: docs/adr/0012). */
  progressListener?: ProgressListener;
}

/** What a record takes in memory while it is held, for maxPendingBytes: its key and value. */
function recordBytes(record: { key: Buffer | null; value: Buffer | null }): number {
  return (record.key?.length ?? 0) + (record.value?.length ?? 0);
}

/** A failing commit is logged at most this often: during a broker outage every finished record asks for one. */
const COMMIT_FAILURE_LOG_INTERVAL_MS = 10_000;
/** After the progress listener failed, it is told again this much later, progress or not. */
const PROGRESS_RETRY_MS = 1_000;

interface PartitionState {
  topic: string;
  partition: number;
  progress: PartitionProgress;
  /** Bytes of the records added and not yet finished. */
  pendingBytes: number;
  committed: bigint | null;
  /** What the progress listener was last told of this partition. */
  reported: bigint | null;
  resume: (() => void) | null;
  /** The high watermark when this generation first fetched the partition: records below it are ConsumedMessage.redelivered. */
  redeliveredBelow: bigint;
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
  private progressFailureLoggedAt = 0;
  private progressRetry: NodeJS.Timeout | null = null;

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
      state = { topic: batch.topic, partition: batch.partition, progress: new PartitionProgress(), pendingBytes: 0, committed: null, reported: null, resume: null, redeliveredBelow: BigInt(batch.highWatermark) };
      this.partitions.set(id, state);
    }
    for (const record of batch.messages) {
      if (this.stopping) return;
      const offset = BigInt(record.offset);
      state.progress.add(offset);
      state.pendingBytes += recordBytes(record);
      // Resolving moves the fetch position on; what is committed is decided as records finish.
      resolveOffset(record.offset);
      this.track(
        this.process(state, this.toConsumed(batch.topic, batch.partition, record, offset < state.redeliveredBelow)).catch((error: unknown) => {
          if (!(error instanceof AbandonedError)) throw error;
        }),
      );
    }
    if (this.isFull(state) && !state.resume) state.resume = pause();
    await heartbeat();
  }

  /**
   * A partition's share of maxPendingBytes: equal among the partitions assigned, so the shares add
   * up to the bound (past it by at most one fetch each) and a busy partition never takes a quiet
   * one's room, which a retry tier holding tasks for hours would keep.
   */
  private pendingBytesShare(): number {
    return this.options.maxPendingBytes / Math.max(1, this.assignedPartitions);
  }

  private isFull(state: PartitionState): boolean {
    return state.progress.pending >= this.options.maxPendingPerPartition || state.pendingBytes >= this.pendingBytesShare();
  }

  /** Half the room of a full partition is free again: fetching resumes in steps, not record by record. */
  private hasRoomAgain(state: PartitionState): boolean {
    return state.progress.pending <= this.options.maxPendingPerPartition / 2 && state.pendingBytes <= this.pendingBytesShare() / 2;
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
    state.pendingBytes -= recordBytes(message);
    if (this.hasRoomAgain(state)) this.resumeFetching(state);
    this.scheduleCommit();
  }

  /** Commits soon after progress, coalescing many finished records into one request. */
  private scheduleCommit(): void {
    if (this.commitTimer) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = null;
      void this.commit().catch((error: unknown) => {
        this.generationRefused(error);
        if (Date.now() - this.commitFailureLoggedAt < COMMIT_FAILURE_LOG_INTERVAL_MS) return;
        this.commitFailureLoggedAt = Date.now();
        this.options.logger.warn({ err: error }, 'offset commit failed; it is tried again with the next progress, or the records are fetched again');
      });
    }, 50);
  }

  private async commit(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    const reporting = this.reportProgress();
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
    try {
      if (offsets.length > 0) await consumer.commitOffsets(offsets);
    } catch (error) {
      // Not committed after all: the next commit tries these offsets again.
      for (const { state, previous, next } of committing) if (state.committed === next) state.committed = previous;
      throw error;
    } finally {
      await reporting;
    }
  }

  /** Tells the progress listener of the partitions that moved on since it was last told; never throws. */
  private async reportProgress(): Promise<void> {
    const listener = this.options.progressListener;
    if (!listener) return;
    const moved = [...this.partitions.values()].flatMap((state) => {
      const next = state.progress.committable();
      return next !== null && next !== state.reported ? [{ state, next }] : [];
    });
    if (moved.length === 0) return;
    try {
      await listener.progressed(moved.map(({ state, next }) => ({ topic: state.topic, partition: state.partition, offset: next.toString() })));
      for (const { state, next } of moved) if (state.reported === null || state.reported < next) state.reported = next;
    } catch (error) {
      if (Date.now() - this.progressFailureLoggedAt >= COMMIT_FAILURE_LOG_INTERVAL_MS) {
        this.progressFailureLoggedAt = Date.now();
        this.options.logger.warn({ err: error }, 'could not record progress; it is tried again');
      }
      this.progressRetry ??= setTimeout(() => {
        this.progressRetry = null;
        this.scheduleCommit();
      }, PROGRESS_RETRY_MS);
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
    if (this.progressRetry) clearTimeout(this.progressRetry);
    this.progressRetry = null;
    await within(this.commit(), deadlines.commit - Date.now(), 'final commit').catch((error: unknown) =>
      this.options.logger.warn({ reason: (error as Error).message }, 'final commit failed; the uncommitted records will be fetched again'),
    );
    await this.disconnect(deadlines.leave);
  }
}
