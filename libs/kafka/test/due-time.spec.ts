import { jest } from '@jest/globals';
import { consumerOptions } from './consumer-options.js';
import type { Kafka } from 'kafkajs';
import { DueTimeConsumerServer } from '../src/consumer/due-time-consumer.server.js';
import type { ConsumedMessage } from '../src/consumer/kafka-server.base.js';

/** The hold before a retry tier's handler runs, on fake timers; nothing here reaches Kafka. */
class Exposed extends DueTimeConsumerServer {
  hold(message: ConsumedMessage) {
    return this.beforeHandling(message);
  }
}

const server = () => new Exposed({ ...consumerOptions({} as Kafka), dueHeader: 'due-at' });

const dueAt = (at: number) => ({ headers: { 'due-at': Buffer.from(new Date(at).toISOString()) } }) as unknown as ConsumedMessage;

describe('DueTimeConsumerServer holding a record', () => {
  const start = Date.parse('2026-12-06T00:00:00.000Z');
  beforeEach(() => jest.useFakeTimers({ now: start }));
  afterEach(() => jest.useRealTimers());

  it('lets a record past its due time, or without one, through at once', () => {
    expect(server().hold(dueAt(start - 1))).toBeUndefined();
    expect(server().hold({ headers: {} } as unknown as ConsumedMessage)).toBeUndefined();
  });

  it('holds a record until the wall clock reaches its due time, even when the timer fires a millisecond early', async () => {
    let released = false;
    void server()
      .hold(dueAt(start + 1_000))!
      .then(() => (released = true));
    // The wall clock lags the timers' clock by a millisecond, as it may between Date.now and a monotonic clock.
    jest.setSystemTime(start - 1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(Date.now()).toBe(start + 999);
    expect(released).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(released).toBe(true);
  });
});
