// Creates Hookline's Kafka topics before the services start: the catalog every service also
// ensures at boot (topicCatalog in @hookline/contracts: each platform topic and one tier topic per
// distinct retry delay, HOOKLINE_TOPIC_PARTITIONS partitions each), with the chart's retention.
// The topics hook Job runs it in the service image as `node --input-type=module -e <this file>`
// from /app, where the @hookline/* packages resolve. Idempotent: existing topics keep their
// settings, except that PROVISION_GROW_PARTITIONS=true grows those with fewer partitions. With
// HOOKLINE_KAFKA_MANAGE_TOPICS=false it creates and alters nothing: it checks that every topic
// exists with enough partitions and fails naming those that do not. It connects with the
// services' TLS and SASL settings.
import { duration, loadConfig } from '@hookline/config';
import { TOPICS, topicCatalog, topicName } from '@hookline/contracts';
import { checkTopics, createKafkaClient, describeKafkaError, ensureTopics, TopicsNotReadyError } from '@hookline/kafka';
import { createLogger } from '@hookline/logging';

// The same validation as the services, so a bad value fails here first, naming the variable.
const config = loadConfig('fanout');
const logger = createLogger('hookline-topics', config.logLevel);
const prefix = config.kafka.topicPrefix;
const partitions = config.kafka.partitions;

// {"ingest":"7d","retry":"3d",...}: keys of TOPICS, or "retry" for every tier topic.
const retention = JSON.parse(process.env.PROVISION_RETENTION || '{}');
function retentionOverride(name) {
  const key = name.startsWith(`${prefix}.retry.`) ? 'retry' : Object.keys(TOPICS).find((topic) => topicName(prefix, topic) === name);
  const text = key === undefined ? undefined : retention[key];
  if (!text) return undefined;
  const parsed = duration.safeParse(text);
  if (!parsed.success) throw new Error(`PROVISION_RETENTION.${key}: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

const topics = topicCatalog({
  prefix,
  partitions,
  retryScheduleMs: config.retry.scheduleMs,
  deadLetterAfterMs: config.retry.deadLetterAfterMs,
  outcomesRetentionMs: config.kafka.outcomesRetentionMs,
}).map((topic) => ({ ...topic, retentionMs: retentionOverride(topic.name) ?? topic.retentionMs }));

const kafka = createKafkaClient({ clientId: 'hookline-topics', ...config.kafka, logger });

/** Creates what is missing, then grows short topics when asked to, or says they are short. */
async function provision() {
  const created = await ensureTopics(kafka, topics);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics: topics.map((topic) => topic.name) });
    const short = metadata.filter((topic) => topic.partitions.length < partitions);
    if (short.length > 0 && process.env.PROVISION_GROW_PARTITIONS === 'true') {
      await admin.createPartitions({ topicPartitions: short.map((topic) => ({ topic: topic.name, count: partitions })) });
      logger.info({ topics: short.map((topic) => topic.name), partitions }, 'grew partitions');
    } else if (short.length > 0) {
      logger.warn(
        { topics: short.map((topic) => `${topic.name} (${topic.partitions.length})`), partitions },
        'existing topics have fewer partitions than configured; consumer replicas beyond their count sit idle',
      );
    }
    logger.info({ created, topics: topics.map((topic) => topic.name) }, 'topics ready');
  } finally {
    await admin.disconnect();
  }
}

try {
  if (config.kafka.manageTopics) {
    await provision();
  } else {
    await checkTopics(kafka, topics);
    logger.info({ topics: topics.map((topic) => topic.name) }, 'topics ready (managed elsewhere: checked, none created)');
  }
} catch (error) {
  logger.error({ reason: error instanceof TopicsNotReadyError ? error.message : describeKafkaError(error) }, 'topic provisioning failed');
  process.exitCode = 1;
}
