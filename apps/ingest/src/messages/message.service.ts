import { Coalescer, STATEMENT_LINGER_MS } from '@hookline/batching';
import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { type EventValue, topicsFor } from '@hookline/contracts';
import { Message } from '@hookline/database';
import { KafkaProducer } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

/** How long a message (and its payload) is kept, as Svix's default payload retention. */
const RETENTION_MS = 90 * 86_400_000;

export interface NewMessage {
  eventType: string;
  payload: Record<string, unknown>;
  eventId?: string | null;
  channels?: string[] | null;
}

/** The application was deleted between its lookup and the insert: the message has nowhere to go. */
export class ApplicationGoneError extends Error {
  constructor(applicationId: string) {
    super(`application ${applicationId} no longer exists`);
  }
}

// Inserts a batch of messages, each with its outbox row, in one statement. A row whose
// (application, eventId) exists is skipped (de-duplication), and so is one whose application has
// just been deleted, rather than failing the whole batch on the foreign key; the final SELECT
// says which rows went in.
const INSERT_MESSAGES = `
  WITH inserted AS (
    INSERT INTO messages (id, application_id, event_type, event_id, channels, payload, created_at, expires_at)
    SELECT v.id, v.application_id, v.event_type, v.event_id, ARRAY(SELECT jsonb_array_elements_text(v.channels)), v.payload, v.created_at, v.expires_at
    FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::timestamptz[], $8::timestamptz[])
      AS v(id, application_id, event_type, event_id, channels, payload, created_at, expires_at)
    WHERE EXISTS (SELECT 1 FROM applications WHERE applications.id = v.application_id)
    ON CONFLICT DO NOTHING
    RETURNING id, created_at
  ), queued AS (
    INSERT INTO message_outbox (message_id, created_at) SELECT id, created_at FROM inserted
  )
  SELECT id FROM inserted`;

const UNEMITTED = 'SELECT message_id FROM message_outbox WHERE message_id = ANY($1::uuid[])';
const MARK_EMITTED = 'DELETE FROM message_outbox WHERE message_id = ANY($1::uuid[])';

/** A message with the same eventId, stored before; `unemitted` while it waits in the outbox. */
interface Earlier {
  message: Message;
  unemitted: boolean;
}

/**
 * Accepts an event for one application, from the API or the ingest topic alike: de-duplicates
 * on eventId, persists (with an outbox row), then emits to the events topic and deletes the
 * outbox row. A message whose emit failed stays in the outbox and the outbox relay emits it
 * later, so nothing accepted is lost.
 *
 * Concurrent accepts share their statements (one insert, one produce request, one delete per
 * batch): per-message round trips were most of ingest's cost.
 */
@Injectable()
export class MessageService {
  private readonly eventsTopic: string;
  private readonly inserts = new Coalescer<Message, Earlier | null>((messages) => this.insertAll(messages), { maxBatchSize: 500, maxConcurrentBatches: 2, lingerMs: STATEMENT_LINGER_MS });
  private readonly emitted = new Coalescer<string>((ids) => this.markEmitted(ids), { maxBatchSize: 1_000, maxConcurrentBatches: 1, lingerMs: STATEMENT_LINGER_MS });

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    private readonly producer: KafkaProducer,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.eventsTopic = topicsFor(config.kafka.topicPrefix).events;
  }

  /** The stored message, and whether this call created it (false: an earlier one with the same eventId). */
  async accept(applicationId: string, input: NewMessage): Promise<{ message: Message; created: boolean }> {
    const now = new Date();
    const message = Object.assign(new Message(), {
      id: uuidv7(),
      applicationId,
      eventType: input.eventType,
      eventId: input.eventId ?? null,
      channels: input.channels ?? [],
      payload: input.payload,
      createdAt: now,
      expiresAt: new Date(now.getTime() + RETENTION_MS),
    });
    const earlier = await this.inserts.add(message);
    if (earlier) {
      // Its first emit failed (or is still under way): this request emits it too.
      if (earlier.unemitted) await this.emit([earlier.message]);
      return { message: earlier.message, created: false };
    }
    await this.emit([message]);
    return { message, created: true };
  }

  /** Emits messages to the events topic, then takes them out of the outbox. */
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
    for (const message of messages) {
      // Not awaited: the event is already durable in Kafka. Should the mark be lost, the outbox
      // relay emits the message once more, which at-least-once delivery allows.
      this.emitted.add(message.id).catch((error: unknown) => this.logger.warn({ err: error, messageId: message.id }, 'could not mark a message emitted; the outbox relay will emit it again'));
    }
  }

  /** Inserts the batch; for each message, null when it went in, else the earlier message with its eventId. */
  private async insertAll(batch: readonly Message[]): Promise<Array<Earlier | null | ApplicationGoneError>> {
    const rows = (await this.messages.query(INSERT_MESSAGES, [
      batch.map((m) => m.id),
      batch.map((m) => m.applicationId),
      batch.map((m) => m.eventType),
      batch.map((m) => m.eventId),
      batch.map((m) => JSON.stringify(m.channels)),
      batch.map((m) => JSON.stringify(m.payload)),
      batch.map((m) => m.createdAt),
      batch.map((m) => m.expiresAt),
    ])) as Array<{ id: string }>;
    const inserted = new Set(rows.map((row) => row.id));
    const skipped = batch.filter((message) => !inserted.has(message.id));
    const earlier = skipped.some((message) => message.eventId !== null)
      ? await this.messages.find({ where: skipped.filter((message) => message.eventId !== null).map(({ applicationId, eventId }) => ({ applicationId, eventId: eventId! })) })
      : [];
    const queued = earlier.length > 0 ? ((await this.messages.query(UNEMITTED, [earlier.map((message) => message.id)])) as Array<{ message_id: string }>) : [];
    const unemitted = new Set(queued.map((row) => row.message_id));
    const byEventId = new Map(earlier.map((message) => [`${message.applicationId} ${message.eventId}`, { message, unemitted: unemitted.has(message.id) }]));
    return batch.map((message) => {
      if (inserted.has(message.id)) return null;
      const found = byEventId.get(`${message.applicationId} ${message.eventId}`);
      return found ?? new ApplicationGoneError(message.applicationId);
    });
  }

  private async markEmitted(ids: readonly string[]): Promise<void> {
    await this.messages.query(MARK_EMITTED, [ids]);
  }
}
