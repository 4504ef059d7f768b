import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { topicCatalog, topicsFor } from '@hookline/contracts';
import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { asError, ROOT_LOGGER } from '@hookline/logging';
import type { Logger } from 'pino';
import { COMPRESSION_TYPE } from './connection/compression.js';
import { describeKafkaError } from './connection/describe-error.js';
import { probeTls } from './connection/tls-probe.js';
import { groupLag } from './group-lag.js';
import { createKafkaClient, kafkaTlsOptions, silenceKafkaLogs } from './kafka-client.js';
import { KafkaProducer } from './producer.js';
import { checkTopics, ensureTopics } from './topic-provisioner.js';
import { within } from './within.js';

export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
/** Injection token for the platform's topic names under HOOKLINE_TOPIC_PREFIX (PlatformTopics). */
export const PLATFORM_TOPICS = Symbol('PLATFORM_TOPICS');
/** Names of the topics this service reads or writes; null: the whole catalog. */
export const KAFKA_SERVICE_TOPICS = Symbol('KAFKA_SERVICE_TOPICS');

const CONNECT_FIRST_DELAY_MS = 1_000;
const CONNECT_MAX_DELAY_MS = 30_000;
/** How long the producer and admin may take to disconnect when the broker does not answer. */
const DISCONNECT_TIMEOUT_MS = 2_000;

/**
 * Creates the platform's topics and connects the producer, in the background from start-up
 * until it succeeds: a broker that is away, or refuses the credentials, is tried again after a
 * growing delay (1 s up to 30 s) with one log line per attempt, while readiness says why. The
 * consumer starts once `ready` resolves. Disconnects last on shutdown, and within a bound when the
 * broker is away. Also answers the Kafka readiness probe.
 */
@Injectable()
export class KafkaLifecycle implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private admin: Admin | null = null;
  private connected = false;
  private lastError: Error | null = null;
  private retryTimer: { timer: NodeJS.Timeout; wake: () => void } | null = null;
  private stopped = false;
  private markReady!: () => void;
  /** Resolves once the topics exist and the producer is connected. */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));
  private settleFirstAttempt!: () => void;
  /** Resolves once the first attempt to connect has succeeded or failed. */
  readonly firstAttempt = new Promise<void>((resolve) => (this.settleFirstAttempt = resolve));

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(HOOKLINE_CONFIG) private readonly config: HooklineConfig,
    private readonly producer: KafkaProducer,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(KAFKA_SERVICE_TOPICS) private readonly serviceTopics: string[] | null,
  ) {}

  onModuleInit(): void {
    void this.connectUntilReady();
  }

  private async connectUntilReady(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.connect();
        this.connected = true;
        this.lastError = null;
        this.markReady();
        return;
      } catch (error) {
        this.lastError = asError(error);
        const delayMs = Math.min(CONNECT_MAX_DELAY_MS, CONNECT_FIRST_DELAY_MS * 2 ** attempt);
        // One line naming the cause and the setting to check (describeKafkaError), not a stack.
        this.logger.error({ reason: describeKafkaError(this.lastError), brokers: this.config.kafka.brokers, retryInMs: delayMs }, 'cannot reach Kafka; trying again');
        this.settleFirstAttempt();
        await new Promise<void>((wake) => (this.retryTimer = { timer: setTimeout(wake, delayMs), wake }));
        this.retryTimer = null;
      } finally {
        this.settleFirstAttempt();
      }
    }
  }

  private async connect(): Promise<void> {
    // A certificate that can never verify fails the attempt at once, not after kafkajs' retries.
    await probeTls(this.config.kafka.brokers, kafkaTlsOptions(this.config.kafka.tls));
    await this.prepareTopics();
    await this.producer.connect();
    const admin = this.kafka.admin();
    await admin.connect();
    this.admin = admin;
  }

  /** Creates what is missing; or, where topics are managed elsewhere, checks the service's own. */
  private async prepareTopics(): Promise<void> {
    const catalog = topicCatalog({
      prefix: this.config.kafka.topicPrefix,
      partitions: this.config.kafka.partitions,
      retryScheduleMs: this.config.retry.scheduleMs,
      deadLetterAfterMs: this.config.retry.deadLetterAfterMs,
      outcomesRetentionMs: this.config.kafka.outcomesRetentionMs,
    });
    // A broker that is away fails the attempt within seconds; connectUntilReady tries again.
    const admin = this.kafka.admin({ retry: { retries: 2 } });
    if (!this.config.kafka.manageTopics) {
      const needed = this.serviceTopics && new Set(this.serviceTopics);
      await checkTopics(this.kafka, needed ? catalog.filter((topic) => needed.has(topic.name)) : catalog, admin);
      return;
    }
    const created = await ensureTopics(this.kafka, catalog, admin);
    if (created.length > 0) this.logger.info({ topics: created }, 'created topics');
  }

  /** Whether the topics exist and the producer is connected (once true, it stays true: the clients reconnect on their own). */
  get isReady(): boolean {
    return this.connected;
  }

  /** Throws unless the cluster answers a metadata request now, saying why it does not and which setting to check. */
  async check(): Promise<void> {
    if (!this.connected || !this.admin) throw new Error(this.lastError ? `cannot reach Kafka: ${describeKafkaError(this.lastError)}` : 'connecting');
    try {
      await this.admin.describeCluster();
    } catch (error) {
      throw new Error(describeKafkaError(error), { cause: error });
    }
  }

  /** A consumer group's lag per topic (groupLag), through this process's admin client. */
  async consumerLag(groupId: string, topics: readonly string[]): Promise<Map<string, number>> {
    if (!this.connected || !this.admin) throw new Error(this.lastError ? `cannot reach Kafka: ${describeKafkaError(this.lastError)}` : 'connecting');
    return groupLag(this.admin, groupId, topics);
  }

  /** Before the consumer stops: from now on a broker that does not answer is expected, and kafkajs's own lines about it are not logged. */
  beforeApplicationShutdown(): void {
    silenceKafkaLogs(this.kafka);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer.timer);
      this.retryTimer.wake();
    }
    await within(Promise.all([this.producer.disconnect(), this.admin?.disconnect()]), DISCONNECT_TIMEOUT_MS, 'disconnecting from Kafka').catch((error: unknown) =>
      this.logger.warn({ reason: (error as Error).message }, 'broker unreachable while stopping'),
    );
  }
}

@Module({})
export class KafkaModule {
  /** `topics`: the names the service reads or writes, checked where it may not create them. */
  static forRoot(options: { topics?: string[] } = {}): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        {
          provide: KAFKA_CLIENT,
          inject: [HOOKLINE_CONFIG, ROOT_LOGGER],
          useFactory: (config: HooklineConfig, logger: Logger) =>
            createKafkaClient({ clientId: `hookline-${config.service}`, ...config.kafka, logger }),
        },
        {
          provide: KafkaProducer,
          inject: [KAFKA_CLIENT, HOOKLINE_CONFIG, ROOT_LOGGER],
          useFactory: (kafka: Kafka, config: HooklineConfig, logger: Logger) =>
            new KafkaProducer(kafka, config.service, logger, COMPRESSION_TYPE[config.kafka.compression]),
        },
        {
          provide: PLATFORM_TOPICS,
          inject: [HOOKLINE_CONFIG],
          useFactory: (config: HooklineConfig) => topicsFor(config.kafka.topicPrefix),
        },
        { provide: KAFKA_SERVICE_TOPICS, useValue: options.topics ?? null },
        KafkaLifecycle,
      ],
      exports: [KAFKA_CLIENT, KafkaProducer, KafkaLifecycle, PLATFORM_TOPICS],
    };
  }
}
