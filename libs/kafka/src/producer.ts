import { Coalescer } from '@hookline/batching';
import { HOOKLINE_ATTRIBUTES, injectTraceContext, inSpan, SpanKind } from '@hookline/telemetry';
import kafkajs, { type IHeaders, type Kafka, type Message, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { JavaCompatiblePartitioner } from './partitioner.js';
import {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
} from '@opentelemetry/semantic-conventions/incubating';

export interface OutgoingMessage {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: IHeaders;
}

/**
 * How long sends gather before a request goes out when none is in flight: the Java client's
 * linger.ms, whose default Kafka 4.0 raised from 0 to 5 ms (KIP-1030). In the pipeline benchmark
 * at 1,000 events/s it cut the broker's CPU by a quarter; under load, requests in flight clock
 * the batches anyway.
 */
const LINGER_MS = 5;
/** Sends gathered into one produce request, at most (each send may carry many records). */
const MAX_SENDS_PER_REQUEST = 1_000;
/**
 * Bytes of records per produce request, at most: a partition's records travel as one record
 * batch, which the broker refuses above its message.max.bytes (1 MiB by default).
 */
const MAX_REQUEST_BYTES = 512 * 1024;

/** Broker answers that mean the idempotent producer's id, epoch or sequence is not valid any more. */
const LOST_PRODUCER_STATE = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

/** Whether kafkajs's error, or one it wraps, is such an answer. */
function producerStateLost(error: unknown): boolean {
  for (let cause = error as { type?: string; cause?: unknown } | undefined; cause; cause = cause.cause as typeof cause) {
    if (cause.type && LOST_PRODUCER_STATE.has(cause.type)) return true;
  }
  return false;
}

const byteLength = (data: string | Buffer | null | undefined) => (typeof data === 'string' ? Buffer.byteLength(data) : (data?.length ?? 0));

/** The record's key, value and headers, in bytes (header values roughly). */
function approximateSize(message: Message): number {
  let size = byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) size += name.length + String(value ?? '').length;
  return size;
}

/**
 * The one producer of a process: idempotent and acknowledged by all in-sync replicas, so a
 * send that resolves is durable. Callers commit their input only after it resolves. Each
 * produce request's record batches are compressed with `compression` (HOOKLINE_KAFKA_COMPRESSION).
 *
 * Concurrent sends share produce requests: kafkajs sends one request per send() call, and
 * serializes an idempotent producer's requests per broker anyway, so while one request is in
 * flight the sends issued meanwhile gather into the next.
 */
export class KafkaProducer {
  private producer: Producer;
  private replacing: Promise<void> | null = null;
  private markConnected!: () => void;
  /** Sends issued before the first connection (the broker was away at start-up) wait for it. */
  private readonly firstConnection = new Promise<void>((resolve) => (this.markConnected = resolve));
  private readonly requests: Coalescer<{ topic: string; messages: Message[] }>;

  /** `service` names the sending service on the spans of its sends. */
  constructor(
    private readonly kafka: Kafka,
    private readonly service = 'unknown',
    private readonly logger?: Logger,
    private readonly compression: kafkajs.CompressionTypes = kafkajs.CompressionTypes.None,
  ) {
    this.producer = this.createProducer();
    this.requests = new Coalescer((sends) => this.sendTogether(sends), { maxBatchSize: MAX_SENDS_PER_REQUEST, maxConcurrentBatches: 1, lingerMs: LINGER_MS });
  }

  private createProducer(): Producer {
    const producer = this.kafka.producer({
      idempotent: true,
      allowAutoTopicCreation: false,
      // The Java client's murmur2 partitioner: a key lands on the same partition from any client.
      createPartitioner: JavaCompatiblePartitioner,
      // An idempotent producer keeps retrying (kafkajs warns otherwise); callers bound the wait.
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5_000 },
    });
    producer.on(producer.events.CONNECT, () => this.markConnected());
    return producer;
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await this.replacing?.catch(() => undefined);
    await this.producer.disconnect();
  }

  /** Sends in a producer span whose context (traceparent) travels in each record's headers. */
  send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    return inSpan(
      `send ${topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          [ATTR_MESSAGING_SYSTEM]: 'kafka',
          [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
          [ATTR_MESSAGING_DESTINATION_NAME]: topic,
          [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: messages.length,
          [HOOKLINE_ATTRIBUTES.service]: this.service,
        },
      },
      () => {
        const traced = messages.map((message) => {
          const headers = { ...(message.headers as Record<string, string | Buffer> | undefined) };
          injectTraceContext(headers);
          return { ...message, headers };
        });
        return this.requests.add({ topic, messages: traced as Message[] });
      },
    );
  }

  /**
   * A new kafkajs producer in place of one whose idempotence state the broker no longer accepts:
   * it would fail every send from now on. The failed send is the caller's to retry (through the
   * new producer); a batch the broker had written after all is then written again, which
   * at-least-once allows.
   */
  private replaceProducer(error: unknown): Promise<void> {
    this.replacing ??= (async () => {
      const old = this.producer;
      this.logger?.warn({ err: error }, 'the broker refused the producer sequence (as after a broker restart); replacing the producer');
      const fresh = this.createProducer();
      await fresh.connect();
      this.producer = fresh;
      void old.disconnect().catch(() => undefined);
    })().finally(() => (this.replacing = null));
    return this.replacing;
  }

  /** One produce request per MAX_REQUEST_BYTES of the gathered sends, in order. */
  private async sendTogether(sends: ReadonlyArray<{ topic: string; messages: Message[] }>): Promise<void> {
    await this.firstConnection;
    let request = new Map<string, Message[]>();
    let bytes = 0;
    const flush = async () => {
      if (request.size === 0) return;
      try {
        await this.producer.sendBatch({ acks: -1, compression: this.compression, topicMessages: [...request].map(([topic, messages]) => ({ topic, messages })) });
      } catch (error) {
        if (producerStateLost(error)) await this.replaceProducer(error);
        throw error;
      }
      request = new Map();
      bytes = 0;
    };
    for (const { topic, messages } of sends) {
      const size = messages.reduce((sum, message) => sum + approximateSize(message), 0);
      if (bytes > 0 && bytes + size > MAX_REQUEST_BYTES) await flush();
      const gathered = request.get(topic);
      if (gathered) gathered.push(...messages);
      else request.set(topic, [...messages]);
      bytes += size;
    }
    await flush();
  }
}
