import type { IHeaders, KafkaMessage } from 'kafkajs';
import { KafkaConsumerServer, type KafkaConsumerOptions } from './kafka-consumer.server.js';
import { AbandonedError, type ConsumedMessage } from './kafka-server.base.js';

export interface DueTimeConsumerOptions extends KafkaConsumerOptions {
  /** Header holding each record's due time, as an ISO-8601 timestamp. */
  dueHeader: string;
}

/**
 * A transport for topics whose records wait until a due time (the retry tiers). It reads ahead
 * and holds each record in memory, on a timer, until its due time, then runs its handler; the
 * offset committed is the lowest record not yet handled (KafkaConsumerServer). Records of a tier
 * are not due in the order they were produced (each delay is jittered, and a postponed task may
 * be due sooner than the tier's delay), so a record is never made to wait for one produced
 * before it. Up to `maxPendingPerPartition` records, and the partition's share of
 * `maxPendingBytes`, are held per partition (past either, the partition pauses until half are
 * handled); a record beyond that may wait for the window to move.
 * Nothing sleeps in a handler and heartbeats go on. After a crash or rebalance the records from
 * the committed offset are read again: those already handled meanwhile are handled again
 * (at-least-once).
 */
export class DueTimeConsumerServer extends KafkaConsumerServer {
  private readonly waiting = new Set<{ timer: NodeJS.Timeout; abandon: () => void }>();

  constructor(protected override readonly options: DueTimeConsumerOptions) {
    super(options);
  }

  /**
   * The record with its own copies of its bytes: kafkajs hands out slices of the fetch response, and
   * one task held for hours would keep the whole response (up to 10 MiB) alive beyond what
   * maxPendingBytes counts.
   */
  protected override toConsumed(topic: string, partition: number, record: KafkaMessage, redelivered: boolean): ConsumedMessage {
    const message = super.toConsumed(topic, partition, record, redelivered);
    const copy = <T>(value: T): T => (Buffer.isBuffer(value) ? (Buffer.from(value) as T) : value);
    const headers = Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [name, Array.isArray(value) ? value.map(copy) : copy(value)]));
    return { ...message, key: copy(message.key), value: copy(message.value), headers };
  }

  protected override beforeHandling(message: ConsumedMessage): Promise<void> | void {
    const waitMs = this.waitFor(message.headers);
    if (waitMs === 0) return;
    return new Promise<void>((resolve, reject) => {
      // A timer measures a monotonic clock and may fire a millisecond before the wall-clock due
      // time, so it is armed again until the due time has passed.
      const fire = (): void => {
        const restMs = this.waitFor(message.headers);
        if (restMs > 0) {
          wait.timer = setTimeout(fire, restMs);
          return;
        }
        this.waiting.delete(wait);
        resolve();
      };
      const wait = {
        timer: setTimeout(fire, waitMs),
        abandon: () => {
          clearTimeout(wait.timer);
          reject(new AbandonedError());
        },
      };
      this.waiting.add(wait);
    });
  }

  /** Records still waiting are let go uncommitted: they are read again from the committed offset. */
  private abandonWaiting(): void {
    for (const wait of this.waiting) wait.abandon();
    this.waiting.clear();
  }

  protected override forgetFetched(): void {
    this.abandonWaiting();
    super.forgetFetched();
  }

  override async close(): Promise<void> {
    this.abandonWaiting();
    await super.close();
  }

  /** Milliseconds until the record is due; 0 when due or when it carries no due time. */
  private waitFor(headers: IHeaders): number {
    const dueAt = Date.parse(headers[this.options.dueHeader]?.toString() ?? '');
    return Number.isNaN(dueAt) ? 0 : Math.max(0, dueAt - Date.now());
  }
}
