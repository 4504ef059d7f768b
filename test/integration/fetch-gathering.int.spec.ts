import { createKafkaClient, ensureTopics, gatherFetches } from '@hookline/kafka';
import { createLogger } from '@hookline/logging';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, requireStack, uniquePrefix } from '../support/env.js';

/** Long enough that a held fetch cannot be mistaken for a slow one. */
const GATHER_MS = 5_000;
const RECORDS = 10;
const SPACING_MS = 150;

/**
 * Fetch gathering (ADR 22) against the real broker: records a producer sends one request at a
 * time reach a busy consumer a gathered batch at a time, while the first record after a quiet
 * spell is not held.
 */
describe('fetch gathering against the real broker', () => {
  const { brokers } = requireStack();
  const prefix = uniquePrefix('gather');
  let kafka: Kafka;
  let producer: Producer;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    kafka = createKafkaClient({ clientId: 'test-gathering', brokers, logger: createLogger('test', 'error') });
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.disconnect()));
    await producer.disconnect();
  });

  /** A consumer of a new one-partition topic that notes when each batch arrived and how many records it held. */
  async function consuming(name: string, gatherMs?: number) {
    const topic = `${prefix}.${name}`;
    const groupId = `${prefix}.${name}`;
    await ensureTopics(kafka, [{ name: topic, partitions: 1, retentionMs: 3_600_000 }]);
    if (gatherMs) gatherFetches(groupId, gatherMs);
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    consumers.push(consumer);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const batches: Array<{ at: number; records: number }> = [];
    await consumer.run({ eachBatch: async ({ batch }) => void batches.push({ at: Date.now(), records: batch.messages.length }) });
    await joined;
    // Fetching, and idle.
    await sleep(500);
    const sendOne = () => producer.send({ topic, messages: [{ value: 'x' }] });
    const received = () => batches.reduce((sum, batch) => sum + batch.records, 0);
    /** Sends one record and resolves with how long it took to arrive. */
    const oneRecord = async () => {
      const before = received();
      const sentAt = Date.now();
      await sendOne();
      await eventually(() => expect(received()).toBe(before + 1), 10_000, 5);
      return batches.at(-1)!.at - sentAt;
    };
    /** Sends RECORDS records one request each, SPACING_MS apart, and resolves with the batches they arrived in. */
    const spacedRecords = async () => {
      const from = batches.length;
      const before = received();
      for (let i = 0; i < RECORDS; i++) {
        await sendOne();
        await sleep(SPACING_MS);
      }
      await eventually(() => expect(received()).toBe(before + RECORDS), 10_000, 5);
      return batches.slice(from).map((batch) => batch.records);
    };
    return { oneRecord, spacedRecords };
  }

  it('without gathering, records sent apart arrive apart', async () => {
    const { oneRecord, spacedRecords } = await consuming('plain');
    await oneRecord();
    expect((await spacedRecords()).length).toBeGreaterThanOrEqual(RECORDS / 2);
  });

  it('while records keep coming, gathers them into one fetch; after a quiet spell, the next record is not held', async () => {
    const { oneRecord, spacedRecords } = await consuming('gathered', GATHER_MS);
    // Idle: answered as soon as the record is there, not after GATHER_MS.
    expect(await oneRecord()).toBeLessThan(GATHER_MS / 2);
    // Busy now: the next fetch is held while the spaced records (RECORDS x SPACING_MS < GATHER_MS) come in.
    expect((await spacedRecords()).length).toBeLessThanOrEqual(2);
    // A fetch held GATHER_MS brings nothing, and the consumer is idle again.
    await sleep(GATHER_MS + 1_000);
    expect(await oneRecord()).toBeLessThan(GATHER_MS / 2);
  });
});
