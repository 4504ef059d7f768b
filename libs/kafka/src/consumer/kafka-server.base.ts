import { type CustomTransportStrategy, BaseRpcContext, type MessageHandler, Server } from '@nestjs/microservices';
import type { Admin, Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { lastValueFrom } from 'rxjs';
import { extractTraceContext, HOOKLINE_ATTRIBUTES, hooklineMetrics, inSpan, SpanKind } from '@hookline/telemetry';
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
} from '@opentelemetry/semantic-conventions/incubating';

const LAG_INTERVAL_MS = 5_000;

/** What a handler receives: one Kafka record, undecoded. Handlers decode it with a contract. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  timestamp: string;
}

export class KafkaMessageContext extends BaseRpcContext<[ConsumedMessage]> {
  get message(): ConsumedMessage {
    return this.args[0];
  }
}

export interface KafkaServerOptions {
  kafka: Kafka;
  /** The consuming service, named on the spans of its records. */
  service: string;
  groupId: string;
  /** Handler pattern (as in @EventPattern) and the topics routed to it. */
  subscriptions: Array<{ pattern: string; topics: string[] }>;
  /** How long close() waits for in-flight records before abandoning them uncommitted. */
  shutdownGraceMs: number;
  /** How long the group waits for a silent member before handing its partitions on. */
  sessionTimeoutMs?: number;
  logger: Logger;
}

/** Raised inside a record's processing when the consumer stops before it finished. */
export class AbandonedError extends Error {
  constructor() {
    super('consumer stopping: record abandoned without commit');
  }
}

/**
 * What Hookline's Kafka transports share: a kafkajs consumer group with manual commits routing
 * each topic to its `@EventPattern` handler, a handler that throws retried in place with backoff
 * (a broken dependency stalls, it never drops a record), and the state readiness reports.
 */
export abstract class KafkaServerBase extends Server implements CustomTransportStrategy {
  protected consumer: Consumer | null = null;
  protected stopping = false;
  private readonly patternByTopic = new Map<string, string>();
  private readonly handlerByTopic = new Map<string, MessageHandler>();
  private lastError: Error | null = null;
  private running = false;
  private readonly lag = new Map<string, number>();
  private lagTimer: NodeJS.Timeout | null = null;
  private lagAdmin: Admin | null = null;
  private lagMeasurement: Promise<void> = Promise.resolve();

  constructor(protected readonly options: KafkaServerOptions) {
    super();
    for (const { pattern, topics } of options.subscriptions) {
      for (const topic of topics) this.patternByTopic.set(topic, pattern);
    }
  }

  /** True while the consumer group is joined and running; false once it has crashed or stopped. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Why the consumer last crashed, for readiness checks. */
  get crashReason(): Error | null {
    return this.lastError;
  }

  protected get topics(): string[] {
    return [...this.patternByTopic.keys()];
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** Processes one fetched batch; commits are the subclass's business. */
  protected abstract onBatch(payload: EachBatchPayload): Promise<void>;

  /** A new group generation: offsets restart from what was committed. */
  protected abstract onGroupJoin(): void;

  private async start(): Promise<void> {
    for (const { pattern, topics } of this.options.subscriptions) {
      const handler = this.getHandlerByPattern(pattern);
      if (!handler) throw new Error(`no @EventPattern('${pattern}') handler is registered`);
      // Looked up once: Nest's lookup parses the pattern on every call.
      for (const topic of topics) this.handlerByTopic.set(topic, handler);
    }
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: Math.max(1_000, Math.floor((this.options.sessionTimeoutMs ?? 10_000) / 5)),
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.onGroupJoin();
      this.running = true;
      this.options.logger.info({ groupId: payload.groupId, assignment: payload.memberAssignment }, 'joined consumer group');
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.running = false;
      this.lastError = payload.error;
      this.options.logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
    });
    consumer.on(consumer.events.STOP, () => (this.running = false));
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.startLagMonitor();
  }

  /**
   * Measures the group's lag per topic (end offset minus committed offset) every few seconds for
   * the consumer-lag gauge: for the retry tiers, the tasks waiting in each.
   */
  private startLagMonitor(): void {
    const admin = this.options.kafka.admin();
    this.lagAdmin = admin;
    const measure = async () => {
      const committed = await admin.fetchOffsets({ groupId: this.options.groupId, topics: this.topics });
      for (const { topic, partitions } of committed) {
        if (this.lagAdmin !== admin) return;
        const ends = await admin.fetchTopicOffsets(topic);
        this.lag.set(
          topic,
          ends.reduce((sum, end) => {
            const done = partitions.find((partition) => partition.partition === end.partition)?.offset ?? '-1';
            return sum + Math.max(0, Number(end.high) - Math.max(Number(done), Number(end.low)));
          }, 0),
        );
      }
    };
    // One measurement at a time, and disconnect() waits for it, so none outlives the consumer.
    let measuring = false;
    this.lagMeasurement = admin.connect().then(() => {
      if (this.lagAdmin !== admin) return;
      this.lagTimer = setInterval(() => {
        if (measuring) return;
        measuring = true;
        this.lagMeasurement = measure()
          .catch(() => undefined)
          .finally(() => (measuring = false));
      }, LAG_INTERVAL_MS);
      this.lagTimer.unref();
    }, () => undefined);
    hooklineMetrics().consumerLag.addCallback((result) => {
      for (const [topic, lag] of this.lag) result.observe(lag, { [ATTR_MESSAGING_DESTINATION_NAME]: topic, [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: this.options.groupId });
    });
  }

  protected toConsumed(topic: string, partition: number, record: KafkaMessage): ConsumedMessage {
    return {
      topic,
      partition,
      offset: record.offset,
      key: record.key ?? null,
      value: record.value ?? null,
      headers: record.headers ?? {},
      timestamp: record.timestamp,
    };
  }

  /**
   * Runs the record's handler until it succeeds, in a consumer span continuing the trace its
   * producer started; throws AbandonedError if the consumer stops first.
   */
  protected handleWithRetry(message: ConsumedMessage): Promise<void> {
    return inSpan(
      `process ${message.topic}`,
      {
        kind: SpanKind.CONSUMER,
        parent: extractTraceContext(message.headers),
        attributes: {
          [ATTR_MESSAGING_SYSTEM]: 'kafka',
          [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
          [ATTR_MESSAGING_DESTINATION_NAME]: message.topic,
          [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(message.partition),
          [ATTR_MESSAGING_KAFKA_OFFSET]: Number(message.offset),
          [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: this.options.groupId,
          ...(message.key && { [ATTR_MESSAGING_KAFKA_MESSAGE_KEY]: message.key.toString('utf8') }),
          [HOOKLINE_ATTRIBUTES.service]: this.options.service,
        },
      },
      () => this.runHandler(message),
    );
  }

  private async runHandler(message: ConsumedMessage): Promise<void> {
    const handler = this.handlerByTopic.get(message.topic)!;
    for (let attempt = 0; ; attempt++) {
      if (this.stopping) throw new AbandonedError();
      try {
        const result = await handler(message, new KafkaMessageContext([message]));
        await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
        return;
      } catch (error) {
        const backoffMs = Math.min(30_000, 200 * 2 ** attempt);
        this.options.logger.error(
          { err: error, topic: message.topic, partition: message.partition, offset: message.offset, backoffMs },
          'handler failed; retrying the record',
        );
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
      }
    }
  }

  /** Stops fetching and disconnects; subclasses first settle their in-flight work. */
  protected async disconnect(): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    const admin = this.lagAdmin;
    this.lagAdmin = null;
    await this.lagMeasurement;
    await admin?.disconnect().catch(() => undefined);
    await this.consumer?.disconnect();
    this.consumer = null;
    this.running = false;
  }

  on(): never {
    throw new Error('Hookline Kafka transports have no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}
