import { ConfigError, loadConfig, type HooklineConfig, type ServiceName } from '@hookline/config';
import { type TopicKey, retryTiers, topicsFor } from '@hookline/contracts';
import { DueTimeConsumerServer, KAFKA_CLIENT, KafkaConsumerServer, type KafkaServerBase } from '@hookline/kafka';
import { createLogger } from '@hookline/logging';
import type { DynamicModule, ExceptionFilter, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Kafka } from 'kafkajs';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import { HealthRegistry } from './health.js';
import { ServiceModule } from './service.module.js';

/** Topics a consumer reads: a platform topic by key, or every retry tier. */
export type SubscriptionSource = TopicKey | 'retryTiers';

export interface ConsumerSpec {
  groupId: string;
  /** `@EventPattern(pattern)` handlers and the topics routed to each. */
  subscriptions: Array<{ pattern: string; source: SubscriptionSource }>;
  maxInFlightPerKey?: number;
  maxPendingPerPartition?: number;
  /** Hold each record until the time in this header, in order per partition (the retry tiers). */
  dueHeader?: string;
}

export interface ServiceSpec {
  service: ServiceName;
  feature: Type | DynamicModule;
  consumer?: ConsumerSpec;
  /** For a service with an API: its JSON body limit (over it: 413) and error filters. */
  api?: { jsonBodyLimit: string; filters: ExceptionFilter[] };
}

function topicsOf(source: SubscriptionSource, config: HooklineConfig): string[] {
  const prefix = config.kafka.topicPrefix;
  return source === 'retryTiers'
    ? retryTiers(prefix, config.retry.scheduleMs).map((tier) => tier.topic)
    : [topicsFor(prefix)[source]];
}

/**
 * Boots one service: validated configuration (a bad value stops the process naming the
 * variable), structured logs, the feature module, its Kafka consumer and the health endpoint.
 * SIGTERM or SIGINT stops consuming, lets in-flight work finish for the grace period,
 * commits only what finished, and disconnects.
 */
export async function startService(spec: ServiceSpec, env: NodeJS.ProcessEnv = process.env): Promise<INestApplication> {
  const config = loadConfig(spec.service, env);
  const logger = createLogger(`hookline-${spec.service}`, config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(ServiceModule.forRoot({ config, logger, feature: spec.feature }), {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: !spec.api,
  });
  if (spec.api) {
    app.useBodyParser('json', { limit: spec.api.jsonBodyLimit });
    app.useGlobalFilters(...spec.api.filters);
  }
  app.useLogger(app.get(NestPinoLogger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.init();

  if (spec.consumer) {
    const common = {
      kafka: app.get<Kafka>(KAFKA_CLIENT),
      service: spec.service,
      groupId: `${config.kafka.topicPrefix}.${spec.consumer.groupId}`,
      subscriptions: spec.consumer.subscriptions.map(({ pattern, source }) => ({ pattern, topics: topicsOf(source, config) })),
      shutdownGraceMs: config.shutdownGraceMs,
      sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      logger: logger.child({ component: 'consumer' }),
    };
    const consumer: KafkaServerBase = spec.consumer.dueHeader
      ? new DueTimeConsumerServer({ ...common, dueHeader: spec.consumer.dueHeader })
      : new KafkaConsumerServer({
          ...common,
          maxInFlightPerKey: spec.consumer.maxInFlightPerKey ?? 1,
          maxPendingPerPartition: spec.consumer.maxPendingPerPartition ?? 1_000,
        });
    app.connectMicroservice({ strategy: consumer }, { inheritAppConfig: true });
    app.get(HealthRegistry).register('consumer', async () => {
      if (!consumer.isRunning) throw new Error(consumer.crashReason?.message ?? 'not consuming');
    });
    await app.startAllMicroservices();
  }

  await app.listen(config.http.healthPort, '0.0.0.0');
  logger.info({ port: config.http.healthPort }, `hookline-${spec.service} ready`);
  return app;
}

/** The main() of a service process: exits non-zero with a clear message if it cannot start. */
export async function runService(spec: ServiceSpec): Promise<void> {
  try {
    await startService(spec);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`hookline-${spec.service}: ${error.message}\n`);
    } else {
      process.stderr.write(`hookline-${spec.service}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
    }
    process.exit(1);
  }
}
