import { asError } from '@hookline/logging';
import { type CustomTransportStrategy, BaseRpcContext, type MessageHandler, Server } from '@nestjs/microservices';
import type { Admin, Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { describeKafkaError, kafkaErrorTypes } from '../connection/describe-error.js';
import { lastValueFrom } from 'rxjs';
import { groupLag } from '../group-lag.js';
import { within } from '../within.js';
import { PartitionRetries } from './partition-retries.js';
import { gatherFetches } from './fetch-gathering.js';
import { UnreadableRecord } from '../decode.js';
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
/**
 * How long the broker may hold a fetch that finds nothing (kafkajs's maxWaitTimeInMs). A record
 * that arrives meanwhile is answered at once (minBytes stays 1), so this sets only how often an
 * idle consumer asks, and each ask costs the broker and the process. 500 ms is the Java client's
 * fetch.max.wait.ms default. The price: when every partition a consumer reads from a broker is
 * paused (backpressure), kafkajs sleeps this long before it looks again, so a resumed partition
 * may wait up to this long for its next fetch. docs/performance.md, "The idle fetch wait".
 */
const IDLE_FETCH_WAIT_MS = 500;

/** The broker's answers to a group member whose generation is over. */
const GENERATION_OVER_ERRORS = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'FENCED_INSTANCE_ID']);

/** What a handler receives: one Kafka record, undecoded. Handlers decode it with a contract. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  timestamp: string;
  /**
   * Aborted, with an AbandonedError as its reason, once the consumer generation that fetched it is
   * over (a rebalance, a new consumer: its records are neither retried nor committed, but fetched
   * again) or the consumer stops (past the work share of its shutdown grace): a handler may check
   * it before work that the record's next reading will do again (a request to an endpoint).
   */
  superseded: AbortSignal;
  /**
   * Whether a consumer before this generation may have fetched, and handled, the record: it lies
   * below its partition's high watermark as this generation first fetched the partition. Records
   * of a crashed or rebalanced consumer that finished but were never committed are read again so;
   * a handler whose work is not idempotent may look for its earlier result first. Over-approximate:
   * the first batch of a partition in every generation is marked, whoever read it before.
   */
  redelivered: boolean;
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
  /**
   * While records keep coming, let the broker hold each fetch this long for more to gather
   * (gatherFetches): for a topic producers fill with many small requests.
   */
  gatherFetchMs?: number;
  /** Resolves once the topics exist and the producer is connected: the consumer starts after it, however long that takes. */
  kafkaReady?: () => Promise<void>;
  logger: Logger;
}

/** Raised inside a record's processing when the consumer stops, or may no longer commit the record, before it finished. */
export class AbandonedError extends Error {
  constructor() {
    super('consumer stopping or rebalanced: record abandoned without commit');
  }
}

const RESTART_FIRST_DELAY_MS = 1_000;
// Each attempt already spends seconds in kafkajs's own connection retries; a longer wait would only
// delay the recovery after the broker is back.
const RESTART_MAX_DELAY_MS = 10_000;
/** How long leaving the group and disconnecting may take when the broker does not answer. */
const DISCONNECT_TIMEOUT_MS = 3_000;
/** The least time a shutdown gives the consumer to leave its group. */
const MIN_LEAVE_MS = 1_500;

/**
 * What Hookline's Kafka transports share: a kafkajs consumer group with manual commits routing
 * each topic to its `@EventPattern` handler; a handler that throws retried in shared rounds per
 * partition (PartitionRetries: a broken dependency stalls at a falling-off pace with one log line
 * per round, it never drops a record); and a supervisor that keeps a consumer running. kafkajs
 * restarts a crashed consumer only after some errors, and leaves it stopped for good after the
 * others ("Failed to find group coordinator" when the broker was away for long); here every
 * crash, and every start that fails, is followed by a new consumer after a growing delay (1 s
 * up to 10 s), which rejoins the group and resumes from the committed offsets, for as long as it
 * takes. `downSince` tells liveness how long that has gone on.
 */
export abstract class KafkaServerBase extends Server implements CustomTransportStrategy {
  protected consumer: Consumer | null = null;
  protected stopping = false;
  /** Partitions the group gave this member when it last joined (0 before it has). */
  protected assignedPartitions = 0;
  /**
   * Aborted when the current generation ends, whenever records fetched before may no longer be
   * committed: a new group generation, or a new consumer (see ConsumedMessage.superseded).
   */
  private generationOver = new AbortController();
  private readonly patternByTopic = new Map<string, string>();
  private readonly handlerByTopic = new Map<string, MessageHandler>();
  private readonly retries = new Map<string, PartitionRetries>();
  private lastError: Error | null = null;
  private running = false;
  private downFrom: number | null = Date.now();
  private restartAttempt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
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

  /** True while the consumer group is joined and running; false while it starts, restarts or has stopped. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Why the consumer last crashed or failed to start, for readiness checks. */
  get crashReason(): Error | null {
    return this.lastError;
  }

  /** Since when the consumer has not been consuming (null while it is). */
  get downSince(): number | null {
    return this.downFrom;
  }

  /** Partitions whose records keep failing, with the oldest failing record of each, longest first. */
  stuckPartitions(): Array<{ topic: string; partition: number; since: number; offset: string; error: unknown }> {
    const stuck = [];
    for (const [id, retries] of this.retries) {
      const state = retries.stuck;
      if (!state) continue;
      const separator = id.lastIndexOf(':');
      stuck.push({ topic: id.slice(0, separator), partition: Number(id.slice(separator + 1)), since: state.since, ...state.record });
    }
    return stuck.sort((a, b) => a.since - b.since);
  }

  protected get topics(): string[] {
    return [...this.patternByTopic.keys()];
  }

  /**
   * Calls back once the consumer has joined its group, or has failed its first start: it then
   * goes on starting in the background, and readiness says why it is not consuming.
   */
  listen(callback: (error?: unknown) => void): void {
    if (this.options.gatherFetchMs) gatherFetches(this.options.groupId, this.options.gatherFetchMs);
    try {
      for (const { pattern, topics } of this.options.subscriptions) {
        const handler = this.getHandlerByPattern(pattern);
        if (!handler) throw new Error(`no @EventPattern('${pattern}') handler is registered`);
        // Looked up once: Nest's lookup parses the pattern on every call.
        for (const topic of topics) this.handlerByTopic.set(topic, handler);
      }
    } catch (error) {
      callback(error);
      return;
    }
    this.startLagMonitor();
    void this.firstStart().then(() => callback());
  }

  private async firstStart(): Promise<void> {
    await this.options.kafkaReady?.();
    if (this.stopping) return;
    await this.startConsumer().catch((error: unknown) => this.consumerDown(error));
  }

  /** Processes one fetched batch; commits are the subclass's business. */
  protected abstract onBatch(payload: EachBatchPayload): Promise<void>;

  /** Records fetched so far may no longer be committed: a new group generation began, or the consumer is gone. */
  protected abstract forgetFetched(): void;

  /** A new consumer, connected and subscribed; resolves once it has joined the group, rejects if it crashed or failed first. */
  private async startConsumer(): Promise<void> {
    const sessionTimeout = this.options.sessionTimeoutMs ?? 10_000;
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: IDLE_FETCH_WAIT_MS,
      sessionTimeout,
      heartbeatInterval: Math.max(1_000, Math.floor(sessionTimeout / 5)),
      // Restarts are the supervisor's (consumerDown), whatever the error.
      retry: { retries: 5, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    // Until the first join, a crash is this start's failure (its caller handles it); after it, the supervisor's.
    let joinedOnce = false;
    const joined = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        if (this.consumer !== consumer) return;
        joinedOnce = true;
        this.assignedPartitions = Object.values(payload.memberAssignment).reduce((count, partitions) => count + partitions.length, 0);
        this.endGeneration();
        this.forgetFetched();
        this.running = true;
        this.downFrom = null;
        this.restartAttempt = 0;
        this.lastError = null;
        this.options.logger.info({ groupId: payload.groupId, assignment: payload.memberAssignment }, 'joined consumer group');
        resolve();
      });
      // kafkajs rejoins on its own after a heartbeat or fetch says the group is rebalancing.
      consumer.on(consumer.events.REBALANCING, () => {
        if (this.consumer === consumer) this.endGeneration();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (this.consumer !== consumer) return;
        if (joinedOnce) this.consumerDown(payload.error);
        else reject(payload.error);
      });
      // Stopped by close() before it joined: nothing more will come. (A crash stops it too, and then says why.)
      consumer.on(consumer.events.STOP, () => {
        if (this.stopping) reject(new Error('the consumer stopped before it joined its group'));
      });
    });
    joined.catch(() => undefined);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: this.topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 4,
        eachBatch: (payload) => this.onBatch(payload),
      });
    } catch (error) {
      if (this.consumer === consumer) this.consumer = null;
      await within(consumer.disconnect(), DISCONNECT_TIMEOUT_MS, 'consumer disconnect').catch(() => undefined);
      throw error;
    }
    await joined;
  }

  /**
   * A request of this member was refused because its generation is over (the coordinator expired
   * it while it could not heartbeat, or a rebalance began): its partitions may already be another
   * member's, which reads their uncommitted records again. Its records end their generation now,
   * not when kafkajs has rejoined, so that none not yet started is handled by both (ADR 8).
   */
  protected generationRefused(error: unknown): void {
    if (kafkaErrorTypes(error).some((type) => GENERATION_OVER_ERRORS.has(type))) this.endGeneration();
  }

  /** Records fetched so far belong to a generation that is over. */
  private endGeneration(): void {
    this.generationOver.abort(new AbandonedError());
    this.generationOver = new AbortController();
  }

  /**
   * The consumer crashed (kafkajs has stopped it already) or could not start: the records fetched
   * so far stop retrying (they will be fetched again), and a new consumer starts after a delay
   * that doubles with each attempt that fails.
   */
  private consumerDown(error: unknown): void {
    const old = this.consumer;
    this.consumer = null;
    this.running = false;
    this.downFrom ??= Date.now();
    this.lastError = asError(error);
    this.endGeneration();
    this.forgetFetched();
    for (const retries of this.retries.values()) retries.wakeAll();
    if (old) void within(old.disconnect(), DISCONNECT_TIMEOUT_MS, 'consumer disconnect').catch(() => undefined);
    if (this.stopping || this.restartTimer) return;
    const delayMs = Math.min(RESTART_MAX_DELAY_MS, RESTART_FIRST_DELAY_MS * 2 ** this.restartAttempt++);
    this.options.logger.error(
      { reason: describeKafkaError(this.lastError), groupId: this.options.groupId, restartInMs: delayMs, downForMs: Date.now() - this.downFrom },
      'consumer stopped; starting a new one',
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.startConsumer().catch((startError: unknown) => this.consumerDown(startError));
    }, delayMs);
  }

  /**
   * Measures the group's lag per topic (end offset minus committed offset) every few seconds for
   * the consumer-lag gauge: for the retry tiers, the tasks waiting in each. The admin client
   * connects at the first measurement and again after a failed one.
   */
  private startLagMonitor(): void {
    const admin = this.options.kafka.admin();
    this.lagAdmin = admin;
    let connected = false;
    const measure = async () => {
      if (!connected) {
        await admin.connect();
        connected = true;
      }
      const lag = await groupLag(admin, this.options.groupId, this.topics);
      if (this.lagAdmin !== admin) return;
      for (const [topic, records] of lag) this.lag.set(topic, records);
    };
    // One measurement at a time, and disconnect() waits for it, so none outlives the consumer.
    let measuring = false;
    this.lagTimer = setInterval(() => {
      if (measuring) return;
      measuring = true;
      this.lagMeasurement = measure()
        .catch(() => void (connected = false))
        .finally(() => (measuring = false));
    }, LAG_INTERVAL_MS);
    this.lagTimer.unref();
    hooklineMetrics().consumerLag.addCallback((result) => {
      for (const [topic, lag] of this.lag) result.observe(lag, { [ATTR_MESSAGING_DESTINATION_NAME]: topic, [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: this.options.groupId });
    });
  }

  protected toConsumed(topic: string, partition: number, record: KafkaMessage, redelivered: boolean): ConsumedMessage {
    return {
      topic,
      partition,
      offset: record.offset,
      key: record.key ?? null,
      value: record.value ?? null,
      headers: record.headers ?? {},
      timestamp: record.timestamp,
      superseded: this.generationOver.signal,
      redelivered,
    };
  }

  /**
   * Runs the record's handler until it succeeds, in a consumer span continuing the trace its
   * producer started; throws AbandonedError if the consumer stops, or may no longer commit the
   * record, first.
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
    const retries = this.retriesOf(message.topic, message.partition);
    try {
      for (;;) {
        // Judged by the generation that fetched it, not the current one: a record that waited (behind
        // its key, or for its due time) while the group moved on is fetched again, and a handler that
        // refuses a superseded record (ingest's emit turnstile) would refuse it on every retry.
        message.superseded.throwIfAborted();
        try {
          const result = await handler(message, new KafkaMessageContext([message]));
          await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
          return;
        } catch (error) {
          // The handler saw the record superseded: no retry round for it.
          if (error instanceof AbandonedError && message.superseded.aborted) throw error;
          if (error instanceof UnreadableRecord) {
            this.options.logger.error({ topic: message.topic, partition: message.partition, offset: message.offset, problem: error.problem }, `unreadable ${error.what} skipped`);
            return;
          }
          await retries.failed(message.offset, error);
        }
      }
    } finally {
      retries.settled(message.offset);
    }
  }

  private retriesOf(topic: string, partition: number): PartitionRetries {
    const id = `${topic}:${partition}`;
    let retries = this.retries.get(id);
    if (!retries) {
      retries = new PartitionRetries(topic, partition, this.options.logger);
      this.retries.set(id, retries);
    }
    return retries;
  }

  /**
   * When a shutdown that begins now must be done: in-flight work may use the grace less the share
   * kept for the last commit and leaving the group (a third of it, at most 3 s), so that even with
   * the broker away the consumer is gone within HOOKLINE_SHUTDOWN_GRACE. Leaving gets at least
   * 1.5 s all the same: a member that leaves hands its partitions on at once, one that does not
   * only after the session timeout.
   */
  protected shutdownDeadlines(): { work: number; commit: number; leave: number } {
    const now = Date.now();
    const leaveShare = Math.min(3_000, this.options.shutdownGraceMs / 3);
    const work = now + this.options.shutdownGraceMs - leaveShare;
    return { work, commit: work + leaveShare / 2, leave: work + Math.max(MIN_LEAVE_MS, leaveShare) };
  }

  /** Pauses fetching, if there is a running consumer to pause. */
  protected pauseFetching(): void {
    try {
      if (this.running) this.consumer?.pause(this.topics.map((topic) => ({ topic })));
    } catch {
      // A consumer that is crashing has nothing to pause.
    }
  }

  /**
   * Stops any restart, lets every record waiting for a retry round go (to be abandoned), and tells
   * handlers their records are (superseded): what has not started by now will not be committed.
   */
  protected beginStopping(): void {
    this.stopping = true;
    this.generationOver.abort(new AbandonedError());
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    for (const retries of this.retries.values()) retries.wakeAll();
  }

  /**
   * Leaves the group and disconnects by `deadline`: with the broker away, the group hands the
   * partitions on after the session timeout instead, and the uncommitted records are fetched
   * again by whoever gets them.
   */
  protected async disconnect(deadline: number): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    const admin = this.lagAdmin;
    this.lagAdmin = null;
    const consumer = this.consumer;
    this.consumer = null;
    this.running = false;
    await within(
      (async () => {
        await this.lagMeasurement;
        await admin?.disconnect().catch(() => undefined);
        await consumer?.disconnect();
      })(),
      deadline - Date.now(),
      'leaving the consumer group',
    ).catch((error: unknown) => this.options.logger.warn({ reason: (error as Error).message }, 'broker unreachable while stopping; uncommitted records will be fetched again'));
  }

  on(): never {
    throw new Error('Hookline Kafka transports have no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}
