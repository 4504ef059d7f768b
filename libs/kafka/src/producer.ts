import { type IHeaders, type Kafka, type Message, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';

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

  constructor(kafka: Kafka) {
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

  send(topic: string, messages: OutgoingMessage[]): Promise<RecordMetadata[]> {
    return this.producer.send({ topic, acks: -1, messages: messages as Message[] });
  }
}
