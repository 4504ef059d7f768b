import { HOOKLINE_ATTRIBUTES, injectTraceContext, inSpan, SpanKind } from '@hookline/telemetry';
import { type IHeaders, type Kafka, type Message, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';
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
 * The one producer of a process: idempotent and acknowledged by all in-sync replicas, so a
 * send that resolves is durable. Callers commit their input only after it resolves.
 */
export class KafkaProducer {
  private readonly producer: Producer;
  private connected = false;

  /** `service` names the sending service on the spans of its sends. */
  constructor(
    kafka: Kafka,
    private readonly service = 'unknown',
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      allowAutoTopicCreation: false,
      // The Java client's murmur2 partitioner: a key lands on the same partition from any client.
      createPartitioner: Partitioners.DefaultPartitioner,
      // An idempotent producer keeps retrying (kafkajs warns otherwise); callers bound the wait.
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5_000 },
    });
    this.producer.on(this.producer.events.CONNECT, () => (this.connected = true));
    this.producer.on(this.producer.events.DISCONNECT, () => (this.connected = false));
  }

  get isConnected(): boolean {
    return this.connected;
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** Sends in a producer span whose context (traceparent) travels in each record's headers. */
  send(topic: string, messages: OutgoingMessage[]): Promise<RecordMetadata[]> {
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
        return this.producer.send({ topic, acks: -1, messages: traced as Message[] });
      },
    );
  }
}
