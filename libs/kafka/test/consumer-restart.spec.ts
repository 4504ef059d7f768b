import { EventEmitter } from 'node:events';
import { consumerOptions } from './consumer-options.js';
import type { EachBatchPayload, Kafka } from 'kafkajs';
import { KafkaConsumerServer } from '../src/consumer/kafka-consumer.server.js';
import type { ConsumedMessage } from '../src/consumer/kafka-server.base.js';

/**
 * The kafkajs boundary, faked: each consumer() call gives a consumer whose group join and crash
 * the test drives, as kafkajs does (a CRASH event after it has stopped the consumer itself).
 */
class FakeConsumer extends EventEmitter {
  readonly events = { GROUP_JOIN: 'group_join', CRASH: 'crash', STOP: 'stop', REBALANCING: 'rebalancing' };
  /** What the broker answers to an offset commit: nothing (committed), or this error. */
  commitRefusal: Error | null = null;
  readonly committed: string[] = [];
  connected = false;
  disconnected = false;
  constructor(private readonly failConnect: boolean) {
    super();
  }
  async connect() {
    if (this.failConnect) throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9');
    this.connected = true;
  }
  /** What kafkajs would call with each fetched batch. */
  eachBatch: ((payload: EachBatchPayload) => Promise<void>) | null = null;
  async subscribe() {}
  async run(options: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) {
    this.eachBatch = options.eachBatch;
  }
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
  async commitOffsets(offsets: Array<{ offset: string }>) {
    if (this.commitRefusal) throw this.commitRefusal;
    this.committed.push(...offsets.map(({ offset }) => offset));
  }
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

function server(kafka: Kafka, handler: (record: ConsumedMessage) => Promise<void> = async () => undefined) {
  const strategy = new KafkaConsumerServer(consumerOptions(kafka));
  strategy.addHandler('events', handler);
  return strategy;
}

const until = async (check: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** A record as kafkajs fetches it, at `offset` of partition 0, with the key `key`. */
const recordAt = (offset: string, key: string) => ({ offset, key: Buffer.from(key), value: Buffer.from('{}'), headers: {}, timestamp: '0', attributes: 0 });

/** What kafkajs hands eachBatch for these records of partition 0, the last of them at its high watermark. */
const batchOf = (messages: Array<ReturnType<typeof recordAt>>) =>
  ({
    batch: { topic: 't', partition: 0, highWatermark: String(messages.length), messages },
    resolveOffset: () => undefined,
    heartbeat: async () => undefined,
    pause: () => () => undefined,
    isRunning: () => true,
    isStale: () => false,
  }) as unknown as EachBatchPayload;

/** A server on a fake Kafka, listening: its first consumer connected and joined the group. */
async function listeningServer(handler?: (record: ConsumedMessage) => Promise<void>) {
  const { kafka, consumers } = fakeKafka();
  const strategy = server(kafka, handler);
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

  it('never hands a handler a record fetched before the group generation moved on, even one that waited behind its key', async () => {
    // The ingest handler's emit turnstile refuses a record of an older generation; a record that
    // queued behind a slow one of its key while the group rejoined once reached its handler with
    // the old generation and was refused on every retry, holding its partition for ever.
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const { consumers, strategy } = await listeningServer(async (record) => {
      handled.push(record.offset);
      if (record.offset === '0') await slow;
    });
    await consumers[0]!.eachBatch!(batchOf([recordAt('0', 'k'), recordAt('1', 'k')]));
    await until(() => handled.length === 1);
    // A rebalance: the group's next generation fetches both records again.
    consumers[0]!.join();
    release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(handled).toEqual(['0']);
    await strategy.close();
  });

  describe('ends the generation as soon as the broker says it is over, not when kafkajs has rejoined', () => {
    // After a broker freeze, a member whose session the coordinator expired went on handling the
    // records it had fetched, while the member that got its partitions read them again: a chaos
    // run received 583 webhooks twice so. Records not yet handed to their handler stay unhandled.
    async function memberWithAWaitingRecord() {
      let release!: () => void;
      const slow = new Promise<void>((resolve) => (release = resolve));
      const handled: string[] = [];
      const { consumers, strategy } = await listeningServer(async (record) => {
        handled.push(record.offset);
        if (record.offset === '1') await slow;
      });
      // Offset 0 finishes at once (a commit follows); offset 2 waits behind offset 1, of its key.
      await consumers[0]!.eachBatch!(batchOf([recordAt('0', 'a'), recordAt('1', 'b'), recordAt('2', 'b')]));
      await until(() => handled.length === 2);
      return { consumer: consumers[0]!, strategy, handled, release };
    }

    it('when an offset commit is refused because the coordinator no longer knows the member', async () => {
      const { consumer, strategy, handled, release } = await memberWithAWaitingRecord();
      // As kafkajs throws it: its protocol error, wrapped once its retries are spent.
      const refused = Object.assign(new Error('The coordinator is not aware of this member'), { name: 'KafkaJSProtocolError', type: 'UNKNOWN_MEMBER_ID' });
      consumer.commitRefusal = Object.assign(new Error('Number of retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', cause: refused });
      await new Promise((resolve) => setTimeout(resolve, 150));
      release();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(handled).toEqual(['0', '1']);
      await strategy.close();
    });

    it('when kafkajs says the group is rebalancing', async () => {
      const { consumer, strategy, handled, release } = await memberWithAWaitingRecord();
      consumer.emit('rebalancing', { payload: { groupId: 'g', memberId: 'm' } });
      release();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(handled).toEqual(['0', '1']);
      await strategy.close();
    });

    it('and not for a commit that failed otherwise (the broker away): the records go on', async () => {
      const { consumer, strategy, handled, release } = await memberWithAWaitingRecord();
      consumer.commitRefusal = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9'), { name: 'KafkaJSConnectionError' });
      await new Promise((resolve) => setTimeout(resolve, 150));
      release();
      await until(() => handled.length === 3);
      expect(handled).toEqual(['0', '1', '2']);
      await strategy.close();
    });
  });
});
