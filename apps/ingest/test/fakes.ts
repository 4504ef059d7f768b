import { loadConfig, type HooklineConfig } from '@hookline/config';
import type { Message } from '@hookline/database';
import type { KafkaProducer, OutgoingMessage } from '@hookline/kafka';
import type { Logger } from '@hookline/logging';
import { generateKeyringEntry, parseKeyring, SecretBox } from '@hookline/signing';
import { HttpException } from '@nestjs/common';
import type { DeliveryPair, RedeliveryService } from '../src/messages/redelivery.service.js';

// What the services' unit tests share: a configuration, and fakes of the boundaries (Kafka, logs).

export function ingestConfig(env: Record<string, string> = {}): HooklineConfig {
  return loadConfig('ingest', {
    KAFKA_BROKERS: '127.0.0.1:9092',
    DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
    HOOKLINE_ADMIN_TOKEN: 'an-admin-token-for-unit-tests',
    HOOKLINE_SECRETS_KEYS: generateKeyringEntry('k1'),
    HOOKLINE_TOPIC_PREFIX: 'unit',
    ...env,
  });
}

export const secretBox = (keys: string) => new SecretBox(parseKeyring(keys));

/** A producer that records what it was given, or fails while `failing` is set. */
export class FakeProducer {
  readonly sent: Array<{ topic: string; messages: OutgoingMessage[] }> = [];
  failing: Error | null = null;

  async send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.failing) throw this.failing;
    this.sent.push({ topic, messages });
  }

  /** The values sent to a topic, parsed. */
  values(topic: string): unknown[] {
    return this.sent.filter((send) => send.topic === topic).flatMap((send) => send.messages.map((message) => JSON.parse(String(message.value)) as unknown));
  }

  asProducer(): KafkaProducer {
    return this as unknown as KafkaProducer;
  }
}

/** A redelivery that records what it was asked to send again. */
export class FakeRedelivery {
  readonly sent: Array<Array<{ message: Message; endpointId: string }>> = [];
  readonly sentMany: DeliveryPair[][] = [];

  async redeliver(pairs: Array<{ message: Message; endpointId: string }>): Promise<number> {
    this.sent.push(pairs);
    return pairs.length;
  }

  async redeliverMany(pairs: DeliveryPair[]): Promise<number> {
    this.sentMany.push(pairs);
    return pairs.length;
  }

  asService(): RedeliveryService {
    return this as unknown as RedeliveryService;
  }
}

export const quietLogger = { warn: () => {}, info: () => {}, error: () => {} } as unknown as Logger;

/** The status and body an API error answers with, to compare with toEqual. */
export async function answerOf(work: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    await work;
  } catch (error) {
    if (error instanceof HttpException) return { status: error.getStatus(), body: error.getResponse() };
    throw error;
  }
  throw new Error('expected an API error');
}
