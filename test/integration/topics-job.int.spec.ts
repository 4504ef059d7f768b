import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOPICS, type TopicKey, topicCatalog, topicName } from '@hookline/contracts';
import { duration } from '@hookline/config';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { parse } from 'yaml';
import { ALL_ON_VALUES, containerEnvironment, type Manifest, named, podSpec, renderChart, ROOT } from '../deploy/manifests.js';
import { eventually, requireStack, uniquePrefix } from '../support/env.js';

/**
 * The Helm chart's topics hook Job, run the way the cluster runs it (its command and
 * environment from `helm template`, from the image's working directory, here the repo's root
 * with the built libraries) against the test broker: it creates every topic with the configured
 * partitions and retention, and grows partitions on request.
 */

const NODE = join(ROOT, 'node_modules/.bin/node');
const { brokers } = requireStack();
const prefix = uniquePrefix('helm-topics');
const kafka = new Kafka({ clientId: 'topics-job-test', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();

function runTopicsJob(...set: string[]): string {
  const manifests: Manifest[] = renderChart(
    '-f', ALL_ON_VALUES,
    '--set', `kafka.brokers=${brokers.join(',')}`,
    '--set', `topics.prefix=${prefix}`,
    // The test broker is plaintext: the all-on values' TLS and SASL are tested in test/deploy.
    '--set-json', 'kafka.tls={"enabled":false,"serverNameCheck":true,"secretName":"","caKey":"","certKey":"","keyKey":""}',
    '--set', 'kafka.sasl.mechanism=',
    '--set', 'kafka.manageTopics=true',
    ...set.flatMap((value) => ['--set', value]),
  );
  const container = podSpec(named(manifests, 'Job', 'hookline-topics')).containers[0]!;
  const [command, ...args] = container.command ?? [];
  expect(command).toBe('node');
  const { env } = containerEnvironment(manifests, container);
  const defined = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  try {
    return execFileSync(NODE, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...defined },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`the topics Job failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'libs/kafka/dist/index.js'))) throw new Error('the topics Job runs the built libraries: run `npm run build` first (npm test does)');
  await admin.connect();
});

afterAll(async () => {
  const ours = (await admin.listTopics()).filter((topic) => topic.startsWith(`${prefix}.`));
  if (ours.length > 0) await admin.deleteTopics({ topics: ours }).catch(() => undefined);
  await admin.disconnect();
});

it('creates and alters nothing where topics are managed elsewhere, and fails naming what is missing', () => {
  expect(() => runTopicsJob('topics.partitions=2', 'kafka.manageTopics=false')).toThrow(`${prefix}.ingest is missing`);
  return expect(admin.listTopics().then((topics) => topics.filter((topic) => topic.startsWith(`${prefix}.`)))).resolves.toEqual([]);
});

it('creates every topic with the configured partitions and retention, then grows partitions on request', async () => {
  const output = runTopicsJob('topics.partitions=2');
  expect(output).toContain('topics ready');

  const values = parse(readFileSync(ALL_ON_VALUES, 'utf8')) as {
    topics: { provision: { retention: Record<string, string> } };
    config: { retry: { schedule: string; deadLetterAfter: string } };
  };
  const catalog = topicCatalog({
    prefix,
    partitions: 2,
    retryScheduleMs: values.config.retry.schedule.split(',').map((delay) => duration.parse(delay)),
    deadLetterAfterMs: duration.parse(values.config.retry.deadLetterAfter),
    outcomesRetentionMs: duration.parse(values.topics.provision.retention.outcomes ?? 'missing'),
  });
  // This client's view of brand-new topics can lag a moment ("does not host this topic-partition").
  const metadata = () => eventually(() => admin.fetchTopicMetadata({ topics: catalog.map((topic) => topic.name) }), 10_000, 200);
  const { topics } = await metadata();
  expect(topics.map((topic) => [topic.name, topic.partitions.length]).sort()).toEqual(catalog.map((topic) => [topic.name, 2]).sort());

  // Every topic has the retention ci/all-on-values.yaml sets for it (retry: every tier).
  const overrides = values.topics.provision.retention;
  const keyOf = (name: string) =>
    name.startsWith(`${prefix}.retry.`) ? 'retry' : Object.keys(TOPICS).find((key) => topicName(prefix, key as TopicKey) === name);
  const expected = Object.fromEntries(catalog.map((topic) => [topic.name, duration.parse(overrides[keyOf(topic.name) ?? ''] ?? 'missing')]));
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: Object.keys(expected).map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] })),
  });
  const retention = Object.fromEntries(
    described.resources.map((resource) => [resource.resourceName, Number(resource.configEntries.find((entry) => entry.configName === 'retention.ms')?.configValue)]),
  );
  expect(retention).toEqual(expected);

  // Running it again is harmless; with growPartitions (on in all-on values) a larger count grows every topic.
  runTopicsJob('topics.partitions=3');
  await eventually(async () => {
    const grown = await metadata();
    expect(new Set(grown.topics.map((topic) => topic.partitions.length))).toEqual(new Set([3]));
  }, 10_000, 200);
});
