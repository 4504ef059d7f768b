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
    const created: string[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        created.push(...(await createMissing(admin, topics)));
        await admin.fetchTopicMetadata({ topics: topics.map((topic) => topic.name) });
        return created;
      } catch (error) {
        if (attempt >= ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

async function createMissing(admin: Admin, topics: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic.name));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({
      topic: topic.name,
      numPartitions: topic.partitions,
      replicationFactor: -1,
      configEntries: [{ name: 'retention.ms', value: String(topic.retentionMs) }],
    })),
  });
  return missing.map((topic) => topic.name);
}
