import type { EachBatchPayload } from 'kafkajs';
import { AbandonedError, KafkaServerBase, type KafkaServerOptions } from './kafka-server.base.js';

export interface DueTimeConsumerOptions extends KafkaServerOptions {
  /** Header holding each record's due time, as an ISO-8601 timestamp. */
  dueHeader: string;
}

/**
 * A transport for topics whose records wait until a due time (the retry tiers). Records of a
 * partition are handled in order; when the head is not yet due, the partition is paused and
 * resumed at its due time, and fetching starts again from that record. Nothing sleeps in a
 * handler and heartbeats go on, so waiting hours costs nothing. A resume timer is never
 * cancelled by a rebalance, so no partition stays paused past the due time of its head.
 */
export class DueTimeConsumerServer extends KafkaServerBase {
  private readonly timers = new Set<NodeJS.Timeout>();
  private inBatch: Promise<void> = Promise.resolve();

  constructor(protected override readonly options: DueTimeConsumerOptions) {
    super(options);
  }

  protected onGroupJoin(): void {
    // Committed offsets are the truth after a rebalance; this transport keeps no other state.
  }

  protected async onBatch(payload: EachBatchPayload): Promise<void> {
    const work = this.handleDue(payload);
    this.inBatch = work.catch(() => undefined);
    await work;
  }

  private async handleDue({ batch, resolveOffset, heartbeat, pause, isRunning, isStale }: EachBatchPayload): Promise<void> {
    let next: string | null = null;
    try {
      for (const record of batch.messages) {
        if (!isRunning() || isStale() || this.stopping) break;
        const dueAt = Date.parse(record.headers?.[this.options.dueHeader]?.toString() ?? '');
        const waitMs = Number.isNaN(dueAt) ? 0 : dueAt - Date.now();
        if (waitMs > 0) {
          const resume = pause();
          // Unresolved records are fetched again after the resume, starting with this one.
          this.consumer?.seek({ topic: batch.topic, partition: batch.partition, offset: record.offset });
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            resume();
          }, waitMs);
          this.timers.add(timer);
          break;
        }
        await this.handleWithRetry(this.toConsumed(batch.topic, batch.partition, record));
        resolveOffset(record.offset);
        next = (BigInt(record.offset) + 1n).toString();
        await heartbeat();
      }
    } catch (error) {
      if (!(error instanceof AbandonedError)) throw error;
    } finally {
      // Only records whose handler finished (re-emit acknowledged) are committed.
      if (next !== null && this.consumer) {
        await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
      }
    }
  }

  async close(): Promise<void> {
    if (!this.consumer) return;
    this.consumer.pause(this.topics.map((topic) => ({ topic })));
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const grace = new Promise((resolve) => setTimeout(resolve, this.options.shutdownGraceMs).unref());
    await Promise.race([this.inBatch, grace]);
    this.stopping = true;
    await this.inBatch;
    await this.disconnect();
  }
}
