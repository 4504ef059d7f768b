import type { EachBatchPayload } from 'kafkajs';
import { KeyedLimiter } from './keyed-limiter.js';
import { AbandonedError, type ConsumedMessage, KafkaServerBase, type KafkaServerOptions } from './kafka-server.base.js';
import { PartitionProgress } from './partition-progress.js';

export interface KafkaConsumerOptions extends KafkaServerOptions {
  /** Records with the same key processed at once, at most (in arrival order). */
  maxInFlightPerKey: number;
  /** Above this many unfinished records a partition is paused until half have finished. */
  maxPendingPerPartition: number;
}

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

  constructor(protected override readonly options: KafkaConsumerOptions) {
    super(options);
    this.limiter = new KeyedLimiter(options.maxInFlightPerKey);
  }

  protected onGroupJoin(): void {
    // Records still running from the old generation finish, but their commits are dropped.
    this.partitions = new Map();
  }

  /** Hands every record of the batch to its handler and returns without waiting for them. */
  protected async onBatch({ batch, resolveOffset, heartbeat, pause }: EachBatchPayload): Promise<void> {
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

  private async process(state: PartitionState, message: ConsumedMessage): Promise<void> {
    const key = message.key?.toString('utf8') ?? `${message.partition}:${message.offset}`;
    await this.limiter.run(key, () => this.handleWithRetry(message));
    state.progress.finish(BigInt(message.offset));
    if (state.resume && state.progress.pending <= this.options.maxPendingPerPartition / 2) {
      state.resume();
      state.resume = null;
    }
    this.scheduleCommit();
  }

  /** Commits soon after progress, coalescing many finished records into one request. */
  private scheduleCommit(): void {
    if (this.commitTimer) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = null;
      void this.commit().catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'offset commit failed; records will be re-delivered'),
      );
    }, 50);
  }

  private async commit(): Promise<void> {
    if (!this.consumer) return;
    const offsets = [];
    for (const state of this.partitions.values()) {
      const next = state.progress.committable();
      if (next !== null && next !== state.committed) {
        offsets.push({ topic: state.topic, partition: state.partition, offset: next.toString() });
        state.committed = next;
      }
    }
    if (offsets.length > 0) await this.consumer.commitOffsets(offsets);
  }

  /** Stops fetching, lets in-flight records finish for the grace period, commits, disconnects. */
  async close(): Promise<void> {
    if (!this.consumer) return;
    this.consumer.pause(this.topics.map((topic) => ({ topic })));
    const grace = new Promise((resolve) => setTimeout(resolve, this.options.shutdownGraceMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    this.stopping = true;
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = null;
    await this.commit().catch((error: unknown) => this.options.logger.warn({ err: error }, 'final commit failed'));
    await this.disconnect();
  }
}
