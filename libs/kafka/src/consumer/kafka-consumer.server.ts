import { type CustomTransportStrategy, BaseRpcContext, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { lastValueFrom } from 'rxjs';
import { KeyedLimiter } from './keyed-limiter.js';
import { PartitionProgress } from './partition-progress.js';

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

export interface KafkaConsumerOptions {
  kafka: Kafka;
  groupId: string;
  /** Handler pattern (as in @EventPattern) and the topics routed to it. */
  subscriptions: Array<{ pattern: string; topics: string[] }>;
  /** Records with the same key processed at once, at most (in arrival order). */
  maxInFlightPerKey: number;
  /** Above this many unfinished records a partition is paused until half have finished. */
  maxPendingPerPartition: number;
  /** How long close() waits for in-flight records before abandoning them uncommitted. */
  shutdownGraceMs: number;
  logger: Logger;
}

interface PartitionState {
  topic: string;
  partition: number;
  progress: PartitionProgress;
  committed: bigint | null;
  paused: boolean;
}

/**
 * A Nest microservice transport on kafkajs that does what Nest's own Kafka transport does not:
 * records of one partition are processed concurrently across keys (capped per key), and the
 * offset committed is never past the lowest unfinished record, so a crash or rebalance
 * re-delivers rather than loses (at-least-once). A handler that throws is retried with backoff
 * until it succeeds or the consumer stops: a broken dependency stalls, it never drops.
 */
export class KafkaConsumerServer extends Server implements CustomTransportStrategy {
  private consumer: Consumer | null = null;
  private readonly patternByTopic = new Map<string, string>();
  private readonly limiter: KeyedLimiter;
  private partitions = new Map<string, PartitionState>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pausedResumers = new Map<string, () => void>();
  private commitTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private lastError: Error | null = null;
  private running = false;

  constructor(private readonly options: KafkaConsumerOptions) {
    super();
    this.limiter = new KeyedLimiter(options.maxInFlightPerKey);
    for (const { pattern, topics } of options.subscriptions) {
      for (const topic of topics) this.patternByTopic.set(topic, pattern);
    }
  }

  /** True while the consumer group is joined and running; false once it has crashed or stopped. */
  get isRunning(): boolean {
    return this.running;
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  private async start(): Promise<void> {
    for (const { pattern } of this.options.subscriptions) {
      if (!this.getHandlerByPattern(pattern)) throw new Error(`no @EventPattern('${pattern}') handler is registered`);
    }
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      // A new generation: offsets restart from what was committed, so forget local progress.
      // Records still running from the old generation finish, but their commits are dropped.
      this.partitions = new Map();
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
    await consumer.subscribe({ topics: [...this.patternByTopic.keys()], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: (payload) => this.acceptBatch(payload),
    });
  }

  /** Hands every record of the batch to its handler and returns without waiting for them. */
  private async acceptBatch({ batch, resolveOffset, heartbeat, pause }: EachBatchPayload): Promise<void> {
    const id = `${batch.topic}:${batch.partition}`;
    let state = this.partitions.get(id);
    if (!state) {
      state = { topic: batch.topic, partition: batch.partition, progress: new PartitionProgress(), committed: null, paused: false };
      this.partitions.set(id, state);
    }
    for (const record of batch.messages) {
      if (this.stopping) return;
      const message: ConsumedMessage = {
        topic: batch.topic,
        partition: batch.partition,
        offset: record.offset,
        key: record.key ?? null,
        value: record.value ?? null,
        headers: record.headers ?? {},
        timestamp: record.timestamp,
      };
      state.progress.add(BigInt(record.offset));
      // Resolving moves the fetch position on; what is committed is decided in finish().
      resolveOffset(record.offset);
      this.track(
        this.process(state, message).catch((error: unknown) => {
          if (!(error instanceof AbandonedError)) throw error;
        }),
      );
    }
    if (state.progress.pending >= this.options.maxPendingPerPartition && !state.paused) {
      state.paused = true;
      const resume = pause();
      this.pausedResumers.set(id, resume);
    }
    await heartbeat();
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async process(state: PartitionState, message: ConsumedMessage): Promise<void> {
    const key = message.key?.toString('utf8') ?? `${message.partition}:${message.offset}`;
    await this.limiter.run(key, () => this.handleWithRetry(message));
    state.progress.finish(BigInt(message.offset));
    const id = `${state.topic}:${state.partition}`;
    if (state.paused && state.progress.pending <= this.options.maxPendingPerPartition / 2) {
      state.paused = false;
      this.pausedResumers.get(id)?.();
      this.pausedResumers.delete(id);
    }
    this.scheduleCommit();
  }

  private async handleWithRetry(message: ConsumedMessage): Promise<void> {
    const pattern = this.patternByTopic.get(message.topic)!;
    const handler = this.getHandlerByPattern(pattern)!;
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

  /** Commits soon after progress, coalescing many finished records into one request. */
  private scheduleCommit(): void {
    if (this.commitTimer) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = null;
      void this.commit().catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'offset commit failed; records will be re-delivered'),
      );
    }, 50);
  }

  private async commit(): Promise<void> {
    if (!this.consumer) return;
    const offsets = [];
    for (const state of this.partitions.values()) {
      const next = state.progress.committable();
      if (next !== null && next !== state.committed) {
        offsets.push({ topic: state.topic, partition: state.partition, offset: next.toString() });
        state.committed = next;
      }
    }
    if (offsets.length > 0) await this.consumer.commitOffsets(offsets);
  }

  /** Stops fetching, lets in-flight records finish for the grace period, commits, disconnects. */
  async close(): Promise<void> {
    if (!this.consumer) return;
    const consumer = this.consumer;
    consumer.pause([...this.patternByTopic.keys()].map((topic) => ({ topic })));
    const grace = new Promise((resolve) => setTimeout(resolve, this.options.shutdownGraceMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    this.stopping = true;
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = null;
    await this.commit().catch((error: unknown) => this.options.logger.warn({ err: error }, 'final commit failed'));
    await consumer.disconnect();
    this.consumer = null;
    this.running = false;
  }

  /** Why the consumer last crashed, for readiness checks. */
  get crashReason(): Error | null {
    return this.lastError;
  }

  on(): never {
    throw new Error('KafkaConsumerServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}

/** Raised inside a record's processing when the consumer stops before it finished. */
export class AbandonedError extends Error {
  constructor() {
    super('consumer stopping: record abandoned without commit');
  }
}
