import type { TopicSpec } from '@hookline/contracts';
import type { Admin, Kafka } from 'kafkajs';

const ATTEMPTS = 10;

/**
 * Creates every topic the platform needs with its partition count and retention. Idempotent:
 * topics that exist are left alone, so every service can run it at start-up. A fresh broker
 * briefly answers metadata requests for new topics with "does not host this topic-partition",
 * and services starting together race to create the same topics: both are retried. The admin
 * client (a new one by default) is disconnected at the end.
 */
export async function ensureTopics(kafka: Kafka, topics: TopicSpec[], admin: Admin = kafka.admin()): Promise<string[]> {
  await admin.connect();
  try {
    // What this call asked the broker to create. A request that failed on the client (say, its
    // wait for leaders timed out) may still have created the topic, which the retry then finds:
    // it is still this call's, and is answered as created.
    const requested = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      try {
        await createMissing(admin, topics, requested);
        await admin.fetchTopicMetadata({ topics: topics.map((topic) => topic.name) });
        return topics.map((topic) => topic.name).filter((name) => requested.has(name));
      } catch (error) {
        if (attempt >= ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

async function createMissing(admin: Admin, topics: TopicSpec[], requested: Set<string>): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic.name));
  if (missing.length === 0) return;
  for (const topic of missing) requested.add(topic.name);
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({
      topic: topic.name,
      numPartitions: topic.partitions,
      replicationFactor: -1,
      configEntries: [{ name: 'retention.ms', value: String(topic.retentionMs) }],
    })),
  });
}

/** Topics a service needs that are missing, or have fewer partitions than configured. */
export class TopicsNotReadyError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `topics not ready (HOOKLINE_KAFKA_MANAGE_TOPICS=false: Hookline creates none): ${problems.join('; ')}. ` +
        'Create them (README: "Topics and ACLs"), grant this service Describe on them, or lower HOOKLINE_TOPIC_PARTITIONS to what they have',
    );
    this.name = 'TopicsNotReadyError';
  }
}

/**
 * For clusters where topics are managed elsewhere: checks, without creating or altering
 * anything, that each topic exists with at least its partitions. Topics are listed, never
 * requested by name, so that a broker with automatic topic creation cannot create one. A topic
 * the service may not Describe is invisible to it, so it is reported missing.
 */
export async function checkTopics(kafka: Kafka, topics: TopicSpec[], admin: Admin = kafka.admin()): Promise<void> {
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic.name));
    const problems = topics.filter((topic) => !existing.has(topic.name)).map((topic) => `${topic.name} is missing (or not visible to this principal)`);
    if (present.length > 0) {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: present.map((topic) => topic.name) });
      const partitionsOf = new Map(metadata.map((topic) => [topic.name, topic.partitions.length]));
      for (const topic of present) {
        const partitions = partitionsOf.get(topic.name) ?? 0;
        if (partitions < topic.partitions) problems.push(`${topic.name} has ${partitions} partitions, fewer than HOOKLINE_TOPIC_PARTITIONS (${topic.partitions})`);
      }
    }
    if (problems.length > 0) throw new TopicsNotReadyError(problems);
  } finally {
    await admin.disconnect();
  }
}
