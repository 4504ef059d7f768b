import type { EachBatchPayload, IHeaders } from 'kafkajs';
import { AbandonedError, KafkaServerBase, type KafkaServerOptions } from './kafka-server.base.js';
import { within } from '../within.js';

/** Due records handled at once per partition, and committed together. */
const DUE_CHUNK = 100;

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

  protected forgetFetched(): void {
    // Committed offsets are the truth after a rebalance or a restart; this transport keeps no other state.
  }

  protected async onBatch(payload: EachBatchPayload): Promise<void> {
    const work = this.handleDue(payload);
    this.inBatch = work.catch(() => undefined);
    await work;
  }

  /**
   * Handles the batch's due prefix (the records up to the first one not yet due) concurrently,
   * since their order does not matter once due, then commits past them; pauses at the first
   * record not yet due.
   */
  private async handleDue({ batch, resolveOffset, heartbeat, pause, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const generation = this.generation;
    const current = () => isRunning() && !isStale() && !this.stopping && generation === this.generation;
    const firstNotDue = batch.messages.findIndex((record) => this.waitFor(record.headers) > 0);
    const due = firstNotDue === -1 ? batch.messages : batch.messages.slice(0, firstNotDue);
    for (let start = 0; start < due.length; start += DUE_CHUNK) {
      if (!current()) return;
      const chunk = due.slice(start, start + DUE_CHUNK);
      try {
        await Promise.all(chunk.map((record) => this.handleWithRetry(this.toConsumed(batch.topic, batch.partition, record))));
      } catch (error) {
        if (error instanceof AbandonedError) return;
        throw error;
      }
      // Only records whose handler finished (re-emit acknowledged) are committed, by the consumer that fetched them.
      if (!current()) return;
      const last = chunk.at(-1)!.offset;
      resolveOffset(last);
      await this.consumer?.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      await heartbeat();
    }
    if (firstNotDue === -1 || !current()) return;
    // The head is not due: pause until it is. Unresolved records are fetched again after the
    // resume, starting with the head, which the seek makes sure of.
    const head = batch.messages[firstNotDue]!;
    const resume = pause();
    this.consumer?.seek({ topic: batch.topic, partition: batch.partition, offset: head.offset });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        resume();
      } catch {
        // That consumer is gone; its successor fetches from the committed offset and waits anew.
      }
    }, this.waitFor(head.headers));
    this.timers.add(timer);
  }

  /** Milliseconds until the record is due; 0 when due or when it carries no due time. */
  private waitFor(headers: IHeaders | undefined): number {
    const dueAt = Date.parse(headers?.[this.options.dueHeader]?.toString() ?? '');
    return Number.isNaN(dueAt) ? 0 : Math.max(0, dueAt - Date.now());
  }

  /** Stops fetching, lets the batch in hand finish and leaves the group, within the shutdown grace (shutdownDeadlines). */
  async close(): Promise<void> {
    const deadlines = this.shutdownDeadlines();
    this.pauseFetching();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await within(this.inBatch, deadlines.work - Date.now(), 'the batch in hand').catch(() => undefined);
    this.beginStopping();
    await within(this.inBatch, deadlines.commit - Date.now(), 'the batch in hand').catch(() => undefined);
    await this.disconnect(deadlines.leave);
  }
}
