import { EventEmitter } from 'node:events';
import { createLogger } from '@hookline/logging';
import type { Kafka } from 'kafkajs';
import { KafkaConsumerServer } from '../src/consumer/kafka-consumer.server.js';

/**
 * The kafkajs boundary, faked: each consumer() call gives a consumer whose group join and crash
 * the test drives, as kafkajs does (a CRASH event after it has stopped the consumer itself).
 */
class FakeConsumer extends EventEmitter {
  readonly events = { GROUP_JOIN: 'group_join', CRASH: 'crash', STOP: 'stop' };
  connected = false;
  disconnected = false;
  constructor(private readonly failConnect: boolean) {
    super();
  }
  async connect() {
    if (this.failConnect) throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9');
    this.connected = true;
  }
  async subscribe() {}
  async run() {}
  async disconnect() {
    this.disconnected = true;
  }
  join() {
    this.emit('group_join', { payload: { groupId: 'g', memberAssignment: {} } });
  }
  crash(error: Error) {
    this.emit('crash', { payload: { error, groupId: 'g', restart: false } });
  }
  pause() {}
}

function fakeKafka(failFirstConnects = 0) {
  const consumers: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const consumer = new FakeConsumer(consumers.length < failFirstConnects);
      consumers.push(consumer);
      return consumer;
    },
    admin: () => ({ connect: async () => {}, disconnect: async () => {}, fetchOffsets: async () => [], fetchTopicOffsets: async () => [] }),
  } as unknown as Kafka;
  return { kafka, consumers };
}

function server(kafka: Kafka) {
  const strategy = new KafkaConsumerServer({
    kafka,
    service: 'test',
    groupId: 'g',
    subscriptions: [{ pattern: 'events', topics: ['t'] }],
    maxInFlightPerKey: 1,
    maxPendingPerPartition: 10,
    shutdownGraceMs: 10,
    logger: createLogger('test', 'silent'),
  });
  strategy.addHandler('events', async () => undefined);
  return strategy;
}

const until = async (check: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** A server on a fake Kafka, listening: its first consumer connected and joined the group. */
async function listeningServer() {
  const { kafka, consumers } = fakeKafka();
  const strategy = server(kafka);
  const listening = new Promise<void>((resolve) => strategy.listen(() => resolve()));
  await until(() => consumers.length === 1 && consumers[0]!.connected);
  consumers[0]!.join();
  await listening;
  return { consumers, strategy };
}

describe('the consumer supervisor', () => {
  it('starts a new consumer after a crash kafkajs would not restart from, which rejoins the group', async () => {
    const { consumers, strategy } = await listeningServer();
    expect(strategy.isRunning).toBe(true);

    const crashedAt = Date.now();
    consumers[0]!.crash(Object.assign(new Error('Failed to find group coordinator'), { name: 'KafkaJSGroupCoordinatorNotFound' }));
    expect(strategy.isRunning).toBe(false);
    expect(strategy.crashReason?.message).toBe('Failed to find group coordinator');
    expect(strategy.downSince).toBeGreaterThanOrEqual(crashedAt);

    await until(() => consumers.length === 2 && consumers[1]!.connected);
    // After the first delay (1 s), not at once.
    expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(900);
    consumers[1]!.join();
    expect(strategy.isRunning).toBe(true);
    expect(strategy.downSince).toBeNull();
    // The crashed one is not used again.
    consumers[0]!.join();
    expect(consumers).toHaveLength(2);
    await strategy.close();
  });

  it('keeps trying a start that fails, with a growing delay, and counts the time down from the first failure', async () => {
    const { kafka, consumers } = fakeKafka(2);
    const strategy = server(kafka);
    const startedAt = Date.now();
    await new Promise<void>((resolve) => strategy.listen(() => resolve()));
    // The first start failed: listen has called back, and the consumer is down since start-up.
    expect(strategy.isRunning).toBe(false);
    expect(strategy.crashReason?.message).toContain('ECONNREFUSED');
    expect(strategy.downSince).toBeLessThanOrEqual(Date.now());
    expect(strategy.downSince).toBeGreaterThanOrEqual(startedAt - 1_000);

    await until(() => consumers.length === 3 && consumers[2]!.connected, 8_000);
    // Delays of 1 s then 2 s between the three attempts.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2_700);
    expect(consumers[0]!.disconnected && consumers[1]!.disconnected).toBe(true);
    consumers[2]!.join();
    expect(strategy.isRunning).toBe(true);
    await strategy.close();
  }, 15_000);

  it('starts no new consumer once it is stopping', async () => {
    const { consumers, strategy } = await listeningServer();
    await strategy.close();
    consumers[0]!.crash(new Error('late crash'));
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(consumers).toHaveLength(1);
  });
});
