import { ConfigError, loadConfig, type HooklineConfig, type ServiceName } from '@hookline/config';
import { type TopicKey, retryTiers, topicsFor } from '@hookline/contracts';
import { DueTimeConsumerServer, describeKafkaError, KAFKA_CLIENT, KafkaConsumerServer, KafkaLifecycle, type KafkaServerBase, type ProgressListener } from '@hookline/kafka';
import { describeDatabaseError } from '@hookline/database';
import { createLogger, errorMessage } from '@hookline/logging';
import type { DynamicModule, ExceptionFilter, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RequestHandler } from 'express';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import { HealthRegistry } from './health.js';
import { ServiceExceptionFilter } from './service-exception-filter.js';
import { ServiceModule } from './service.module.js';

/** Topics a consumer reads: a platform topic by key, or every retry tier. */
export type SubscriptionSource = TopicKey | 'retryTiers';

export interface ConsumerSpec {
  groupId: string;
  /** `@EventPattern(pattern)` handlers and the topics routed to each. */
  subscriptions: Array<{ pattern: string; source: SubscriptionSource }>;
  maxInFlightPerKey?: number;
  maxPendingPerPartition?: number;
  /** Hold each record until the time in this header (the retry tiers), up to HOOKLINE_RETRY_LOOKAHEAD per partition (and its share of HOOKLINE_CONSUMER_PENDING_MIB). */
  dueHeader?: string;
  /** A provider of the feature module told how far each partition's records have finished. */
  progressListener?: Type<ProgressListener>;
  /** Let each fetch wait this long for records to gather (KafkaServerOptions.gatherFetchMs). */
  gatherFetchMs?: number;
}

export interface ServiceSpec {
  service: ServiceName;
  feature: Type | DynamicModule;
  consumer?: ConsumerSpec;
  /** Topics the service writes: with the ones it consumes, what it needs (README: "Topics and ACLs"). */
  produces: SubscriptionSource[];
  /**
   * For a service with an API: its JSON body limit (over it: 413), the filter that answers its
   * errors, and Express middleware that runs before the body is read.
   */
  api?: { jsonBodyLimit: string; filter: ExceptionFilter; beforeBody?: RequestHandler };
}

function topicsOf(source: SubscriptionSource, config: HooklineConfig): string[] {
  const prefix = config.kafka.topicPrefix;
  return source === 'retryTiers'
    ? retryTiers(prefix, config.retry.scheduleMs).map((tier) => tier.topic)
    : [topicsFor(prefix)[source]];
}

/** A service's consumer group, and the topics it reads. */
export function consumerGroup(consumer: ConsumerSpec, config: HooklineConfig): { groupId: string; topics: string[] } {
  return { groupId: `${config.kafka.topicPrefix}.${consumer.groupId}`, topics: [...new Set(consumer.subscriptions.flatMap(({ source }) => topicsOf(source, config)))] };
}

/** Every topic the service reads or writes. */
export function serviceTopics(spec: ServiceSpec, config: HooklineConfig): string[] {
  const sources = [...(spec.consumer?.subscriptions.map((subscription) => subscription.source) ?? []), ...spec.produces];
  return [...new Set(sources.flatMap((source) => topicsOf(source, config)))];
}

/**
 * Boots one service: validated configuration (a bad value stops the process naming the
 * variable), structured logs, the feature module, the health endpoint, and its Kafka consumer.
 * Kafka is not needed to start: the health endpoint answers (not ready, saying why) while the
 * service connects, and the consumer starts once the topics exist. SIGTERM or SIGINT stops
 * consuming, lets in-flight work finish for the grace period, commits only what finished, and
 * disconnects.
 */
export async function startService(spec: ServiceSpec, env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadConfig(spec.service, env);
  const logger = createLogger(`hookline-${spec.service}`, config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(ServiceModule.forRoot({ config, logger, feature: spec.feature, topics: serviceTopics(spec, config) }), {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: !spec.api,
  });
  if (spec.api) {
    // The client address (rate limits of unknown tokens) is the peer's, unless a trusted proxy forwards it.
    app.set('trust proxy', config.api.trustedProxies.length > 0 ? config.api.trustedProxies : false);
    if (spec.api.beforeBody) app.use(spec.api.beforeBody);
    app.useBodyParser('json', { limit: spec.api.jsonBodyLimit });
  }
  app.useGlobalFilters(new ServiceExceptionFilter(app.getHttpAdapter(), spec.api?.filter));
  app.useLogger(app.get(NestPinoLogger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  try {
    await app.init();
  } catch (error) {
    // What did start (the database pool, Kafka clients) stops, so a caller that goes on is not held.
    await app.close().catch(() => undefined);
    throw error;
  }
  await app.listen(config.http.healthPort, config.http.listenHost);
  const kafka = app.get(KafkaLifecycle);
  // With the broker there, the service is ready when this resolves; without, it goes on connecting.
  await kafka.firstAttempt;
  if (spec.consumer) await startConsumer(app, spec.consumer, config, kafka, logger);
  logger.info({ port: config.http.healthPort }, `hookline-${spec.service} started`);
  return app;
}

async function startConsumer(app: INestApplication, spec: ConsumerSpec, config: HooklineConfig, kafka: KafkaLifecycle, logger: Logger): Promise<void> {
  const common = {
    kafka: app.get<Kafka>(KAFKA_CLIENT),
    service: config.service,
    groupId: consumerGroup(spec, config).groupId,
    subscriptions: spec.subscriptions.map(({ pattern, source }) => ({ pattern, topics: topicsOf(source, config) })),
    shutdownGraceMs: config.shutdownGraceMs,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    gatherFetchMs: spec.gatherFetchMs,
    kafkaReady: () => kafka.ready,
    logger: logger.child({ component: 'consumer' }),
  };
  const limits = { maxInFlightPerKey: spec.maxInFlightPerKey ?? 1, maxPendingPerPartition: spec.maxPendingPerPartition ?? 1_000, maxPendingBytes: config.kafka.maxPendingBytes };
  const consumer: KafkaServerBase = spec.dueHeader
    ? new DueTimeConsumerServer({ ...common, ...limits, maxPendingPerPartition: config.retry.lookahead, dueHeader: spec.dueHeader })
    : new KafkaConsumerServer({ ...common, ...limits, ...(spec.progressListener && { progressListener: app.get(spec.progressListener) }) });
  // The application's filter (ServiceExceptionFilter) passes a handler's error on to the transport as it was thrown.
  app.connectMicroservice({ strategy: consumer }, { inheritAppConfig: true });
  const health = app.get(HealthRegistry);
  health.register('consumer', () => consumerReadiness(consumer, config.kafka.stuckAfterMs));
  health.registerLiveness('consumer', () => {
    const downSince = consumer.downSince;
    if (downSince !== null && Date.now() - downSince > config.kafka.recoveryDeadlineMs) {
      throw new Error(`not consuming for ${Math.round((Date.now() - downSince) / 1000)} s (HOOKLINE_KAFKA_RECOVERY_DEADLINE): ${consumer.crashReason ? describeKafkaError(consumer.crashReason) : 'never joined its group'}`);
    }
  });
  const started = app.startAllMicroservices();
  // With the broker there, the consumer has joined its group when startService returns; without,
  // it joins once the broker is reached, and readiness says so meanwhile.
  if (kafka.isReady) await started;
  else started.catch((error: unknown) => logger.error({ reason: describeKafkaError(error) }, 'consumer failed to start'));
}

/** Down while out of its group; degraded while a partition's records have failed for longer than `stuckAfterMs`. */
function consumerReadiness(consumer: KafkaServerBase, stuckAfterMs: number): string | void {
  if (!consumer.isRunning) {
    throw new Error(consumer.crashReason ? `not consuming (${describeKafkaError(consumer.crashReason)}); a new consumer is starting` : 'not consuming yet: joining the consumer group');
  }
  const stuck = consumer.stuckPartitions().filter((partition) => Date.now() - partition.since > stuckAfterMs);
  if (stuck.length === 0) return;
  return stuck
    .map(({ topic, partition, offset, since, error }) => `${topic}[${partition}] stuck at offset ${offset} for ${Math.round((Date.now() - since) / 1000)} s: ${errorMessage(error)}`)
    .join('; ');
}

/** The main() of a service process: exits non-zero with a clear message if it cannot start. */
export async function runService(spec: ServiceSpec): Promise<void> {
  try {
    await startService(spec);
  } catch (error) {
    const databaseProblem = describeDatabaseError(error);
    if (error instanceof ConfigError) {
      process.stderr.write(`hookline-${spec.service}: ${error.message}\n`);
    } else if (databaseProblem) {
      process.stderr.write(`hookline-${spec.service}: ${databaseProblem}\n`);
    } else {
      process.stderr.write(`hookline-${spec.service}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
    }
    process.exit(1);
  }
}
