import { topicsFor } from '@hookline/contracts';
import { serviceTopics, startService } from '@hookline/service';
import { loadConfig } from '@hookline/config';
import type { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import type { AddressInfo } from 'node:net';
import { service as fanout } from '../../apps/fanout/src/service.js';
import { eventually, migrateTestDatabase, requireStack } from '../support/env.js';
import { pipelineEnv } from '../support/pipeline.js';

/**
 * HOOKLINE_KAFKA_MANAGE_TOPICS=false, for clusters that deny topic creation: a service creates
 * nothing, checks that the topics it reads and writes exist with enough partitions, and until
 * they do stays not ready naming each one that does not, trying again.
 */

const env = pipelineEnv('managed-topics', { HOOKLINE_KAFKA_MANAGE_TOPICS: 'false', HOOKLINE_TOPIC_PARTITIONS: '2' });
const prefix = env.HOOKLINE_TOPIC_PREFIX!;
const topics = topicsFor(prefix);
const admin = new Kafka({ clientId: 'managed-topics-test', brokers: requireStack().brokers, logLevel: logLevel.NOTHING }).admin();
const ours = async () => (await admin.listTopics()).filter((topic) => topic.startsWith(`${prefix}.`)).sort();
let app: INestApplication | undefined;

beforeAll(async () => {
  await Promise.all([admin.connect(), migrateTestDatabase()]);
});

afterAll(async () => {
  await app?.close();
  const left = await ours();
  if (left.length > 0) await admin.deleteTopics({ topics: left }).catch(() => undefined);
  await admin.disconnect();
});

async function readiness(): Promise<{ status: string; checks: Record<string, string> }> {
  const { port } = app!.getHttpServer().address() as AddressInfo;
  return (await fetch(`http://127.0.0.1:${port}/health/ready`)).json() as Promise<{ status: string; checks: Record<string, string> }>;
}

it('fanout needs exactly the topic it consumes and the one it produces', () => {
  expect(serviceTopics(fanout, loadConfig('fanout', env)).sort()).toEqual([topics.deliveries, topics.events]);
});

it('stays not ready while a topic is missing or short, naming each, creates none, and starts once they are right', async () => {
  app = await startService(fanout, env);
  const missing = await eventually(async () => {
    const { status, checks } = await readiness();
    expect(status).toBe('unavailable');
    expect(checks.kafka).toContain(`${topics.events} is missing (or not visible to this principal); ${topics.deliveries} is missing`);
    return checks.kafka;
  });
  expect(missing).toContain('HOOKLINE_KAFKA_MANAGE_TOPICS=false');
  expect(await ours()).toEqual([]);

  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: topics.events, numPartitions: 2 }, { topic: topics.deliveries, numPartitions: 1 }] });
  await eventually(async () => expect((await readiness()).checks.kafka).toContain(`${topics.deliveries} has 1 partitions, fewer than HOOKLINE_TOPIC_PARTITIONS (2)`), 40_000, 500);

  await admin.createPartitions({ topicPartitions: [{ topic: topics.deliveries, count: 2 }] });
  await eventually(async () => expect(await readiness()).toMatchObject({ status: 'ok', checks: { kafka: 'ok', consumer: 'ok' } }), 60_000, 500);
  // Only what the platform team made: no retry tier, dead-letter or ingest topic appeared.
  expect(await ours()).toEqual([topics.deliveries, topics.events]);
}, 120_000);
