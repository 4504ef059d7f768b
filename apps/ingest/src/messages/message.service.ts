import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { type EventValue, topicName } from '@hookline/contracts';
import { Message } from '@hookline/database';
import { KafkaProducer } from '@hookline/kafka';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

/** How long a message (and its payload) is kept, as Svix's default payload retention. */
const RETENTION_MS = 90 * 86_400_000;

export interface NewMessage {
  eventType: string;
  payload: Record<string, unknown>;
  eventId?: string | null;
  channels?: string[] | null;
}

/**
 * Accepts an event for one application, from the API or the ingest topic alike: de-duplicates
 * on eventId, persists, then emits to the events topic. A message whose emit failed stays
 * marked unemitted and the outbox relay emits it later, so nothing accepted is lost.
 */
@Injectable()
export class MessageService {
  private readonly eventsTopic: string;

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    private readonly producer: KafkaProducer,
  ) {
    this.eventsTopic = topicName(config.kafka.topicPrefix, 'events');
  }

  /** The stored message, and whether this call created it (false: an earlier one with the same eventId). */
  async accept(applicationId: string, input: NewMessage): Promise<{ message: Message; created: boolean }> {
    const now = new Date();
    const message = this.messages.create({
      id: uuidv7(),
      applicationId,
      eventType: input.eventType,
      eventId: input.eventId ?? null,
      channels: input.channels ?? [],
      payload: input.payload,
      createdAt: now,
      expiresAt: new Date(now.getTime() + RETENTION_MS),
      emittedAt: null,
    });
    const inserted = await this.messages
      .createQueryBuilder()
      .insert()
      .values(message as never)
      .orIgnore() // the (application, eventId) unique index de-duplicates
      .returning(['id'])
      .execute();
    if ((inserted.raw as unknown[]).length === 0) {
      const existing = await this.messages.findOneByOrFail({ applicationId, eventId: input.eventId! });
      if (!existing.emittedAt) await this.emit([existing]);
      return { message: existing, created: false };
    }
    await this.emit([message]);
    return { message, created: true };
  }

  /** Emits messages to the events topic, then records that they were emitted. */
  async emit(messages: Message[]): Promise<void> {
    await this.producer.send(
      this.eventsTopic,
      messages.map((message) => {
        const value: EventValue = {
          messageId: message.id,
          applicationId: message.applicationId,
          eventType: message.eventType,
          eventId: message.eventId,
          channels: message.channels,
          payload: message.payload,
          createdAt: message.createdAt.toISOString(),
        };
        return { key: message.applicationId, value: JSON.stringify(value) };
      }),
    );
    await this.messages.update({ id: In(messages.map((message) => message.id)), emittedAt: IsNull() }, { emittedAt: new Date() });
    for (const message of messages) message.emittedAt ??= new Date();
  }
}
