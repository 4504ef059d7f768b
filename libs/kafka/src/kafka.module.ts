import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { topicCatalog, topicsFor } from '@hookline/contracts';
import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { ROOT_LOGGER } from '@hookline/logging';
import type { Logger } from 'pino';
import { createKafkaClient } from './kafka-client.js';
import { KafkaProducer } from './producer.js';
import { ensureTopics } from './topic-provisioner.js';

export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
/** Injection token for the platform's topic names under HOOKLINE_TOPIC_PREFIX (PlatformTopics). */
export const PLATFORM_TOPICS = Symbol('PLATFORM_TOPICS');

/**
 * Connects the producer and creates the platform's topics before the service starts
 * consuming, and disconnects last on shutdown. Also answers the Kafka readiness probe.
 */
@Injectable()
export class KafkaLifecycle implements OnModuleInit, OnApplicationShutdown {
  private admin: Admin | null = null;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(HOOKLINE_CONFIG) private readonly config: HooklineConfig,
    private readonly producer: KafkaProducer,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const created = await ensureTopics(
      this.kafka,
      topicCatalog({
        prefix: this.config.kafka.topicPrefix,
        partitions: this.config.kafka.partitions,
        retryScheduleMs: this.config.retry.scheduleMs,
        deadLetterAfterMs: this.config.retry.deadLetterAfterMs,
      }),
    );
    if (created.length > 0) this.logger.info({ topics: created }, 'created topics');
    await this.producer.connect();
    this.admin = this.kafka.admin();
    await this.admin.connect();
  }

  /** Throws unless the cluster answers a metadata request now. */
  async check(): Promise<void> {
    if (!this.admin) throw new Error('not connected yet');
    await this.admin.describeCluster();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
    await this.admin?.disconnect();
  }
}

@Module({})
export class KafkaModule {
  static forRoot(): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        {
          provide: KAFKA_CLIENT,
          inject: [HOOKLINE_CONFIG, ROOT_LOGGER],
          useFactory: (config: HooklineConfig, logger: Logger) =>
            createKafkaClient({ clientId: `hookline-${config.service}`, brokers: config.kafka.brokers, logger }),
        },
        {
          provide: KafkaProducer,
          inject: [KAFKA_CLIENT, HOOKLINE_CONFIG],
          useFactory: (kafka: Kafka, config: HooklineConfig) => new KafkaProducer(kafka, config.service),
        },
        {
          provide: PLATFORM_TOPICS,
          inject: [HOOKLINE_CONFIG],
          useFactory: (config: HooklineConfig) => topicsFor(config.kafka.topicPrefix),
        },
        KafkaLifecycle,
      ],
      exports: [KAFKA_CLIENT, KafkaProducer, KafkaLifecycle, PLATFORM_TOPICS],
    };
  }
}
