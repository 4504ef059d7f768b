import { createKafkaClient, groupLag } from '@hookline/kafka';
import { createLogger } from '@hookline/logging';
import type { KafkaMessage, Message } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { eventually, requireStack } from './env.js';

const kafka = () => createKafkaClient({ clientId: 'hookline-tests', brokers: requireStack().brokers, logger: createLogger('test', 'error') });

/** Publishes records onto a topic of the shared broker, as a producer outside Hookline would. */
export async function publish(topic: string, messages: Message[]): Promise<void> {
  const producer = kafka().producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads a topic from its beginning, in a consumer group of its own, until `check` passes on the
 * records read so far (see eventually); returns them. Each record is `parse`d as it arrives.
 */
export async function readTopic<T>(topic: string, parse: (message: KafkaMessage) => T, check: (records: T[]) => void): Promise<T[]> {
  const consumer = kafka().consumer({ groupId: `hookline-tests-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const records: T[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void records.push(parse(message)) });
    await eventually(() => check(records));
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/** How many records of `topic` the consumer group has not committed yet, over all partitions. */
export async function consumerLag(groupId: string, topic: string): Promise<number | undefined> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    return (await groupLag(admin, groupId, [topic])).get(topic);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Throws unless each group has committed to the end of every topic it reads, the topics' ends read
 * before and after the groups' offsets agreeing: nothing was written meanwhile, and a service writes
 * what a record makes before it commits the record, so nothing is left on its way.
 */
export async function expectCaughtUp(groups: ReadonlyArray<{ groupId: string; topics: readonly string[] }>): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const topics = [...new Set(groups.flatMap((group) => group.topics))];
    const ends = async () => Promise.all(topics.map(async (topic) => [topic, (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => `${partition}:${high}`).sort()]));
    const before = await ends();
    for (const { groupId, topics } of groups) {
      const lag = await groupLag(admin, groupId, topics);
      expect({ groupId, lag: Object.fromEntries(lag) }).toEqual({ groupId, lag: Object.fromEntries(topics.map((topic) => [topic, 0])) });
    }
    expect(await ends()).toEqual(before);
  } finally {
    await admin.disconnect();
  }
}
