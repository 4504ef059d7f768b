import { Coalescer, isolateRowFaults, STATEMENT_LINGER_MS } from '@hookline/batching';
import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { type EventValue, topicsFor } from '@hookline/contracts';
import { type Application, isDataError, isSendable, Message, uuidv7 } from '@hookline/database';
import { KafkaProducer, REPEAT_HEADERS } from '@hookline/kafka';
import { activeTraceId } from '@hookline/telemetry';
import { errorMessage, ROOT_LOGGER, type Logger } from '@hookline/logging';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ApplicationsService } from '../applications/applications.service.js';
import type { Principal } from '../auth/principal.js';
import { ApiError, found, notFound, ValidationFailed } from '../http/errors.js';
import { type ListResponse, mapPage } from '../http/pagination.js';
import type { ListQuery } from '../http/schemas.js';
import { MessagesRepository } from './messages.repository.js';
import { type MessageIn, type MessageListQuery, type MessageOut, messageOut, withoutPayload } from './messages.schemas.js';

export interface NewMessage {
  eventType: string;
  payload: Record<string, unknown>;
  eventId?: string | null;
  channels?: string[] | null;
  orderingKey?: string | null;
}

/** A new message of the application, kept for the retention period. */
function newMessage(applicationId: string, input: NewMessage): Message {
  return Object.assign(new Message(), {
    id: uuidv7(),
    applicationId,
    eventType: input.eventType,
    eventId: input.eventId ?? null,
    channels: input.channels ?? [],
    orderingKey: input.orderingKey ?? null,
    traceId: activeTraceId(),
    payload: input.payload,
    createdAt: new Date(),
  });
}

/** The application was deleted between its lookup and the insert: the message has nowhere to go. */
export class ApplicationGoneError extends Error {
  constructor(applicationId: string) {
    super(`application ${applicationId} no longer exists`);
  }
}

/**
 * PostgreSQL refused to store this message, for something in it (a data error of its own, found by
 * splitting the batch it was in): the caller's to fix, never retried as it is. Validation
 * (storageProblems in @hookline/contracts) refuses everything known to cause one first.
 */
export class UnstorableMessageError extends Error {
  constructor(cause: unknown) {
    super(`the database cannot store this message: ${errorMessage(cause)}`, { cause });
  }
}

/**
 * A message from a record of the ingest topic. The record owns the message's outbox row: it is
 * committed only once the message is emitted and the row deleted, and until then, after a failure
 * or a crash, it is handled again and emits the message itself; so the relay leaves the row alone.
 * `turn`, for an application with a FIFO endpoint, resolves when the records before it in its
 * lane have emitted (EmitTurnstile).
 */
export interface IngestRecord {
  turn?: () => Promise<void>;
}

/** A message to insert, and whether an ingest-topic record owns its outbox row. */
interface PendingInsert {
  message: Message;
  fromIngestTopic: boolean;
}

/** A message with the same eventId, stored before; `unemitted` while it waits in the outbox. */
interface Earlier {
  message: Message;
  unemitted: boolean;
}

/**
 * Accepts an event for one application, from the API or the ingest topic alike: de-duplicates
 * on eventId, persists (with an outbox row), then emits to the events topic and deletes the
 * outbox row. A message whose emit failed stays in the outbox and the outbox relay emits it
 * later, so nothing accepted is lost. Also the API's reads of messages.
 *
 * Concurrent accepts share their statements (one insert, one produce request, one delete per
 * batch): per-message round trips were most of ingest's cost.
 */
@Injectable()
export class MessageService {
  private readonly eventsTopic: string;
  private readonly inserts = new Coalescer<PendingInsert, Earlier | null>((pending) => this.insertAll(pending), { maxBatchSize: 500, maxConcurrentBatches: 2, lingerMs: STATEMENT_LINGER_MS });
  private readonly emitted = new Coalescer<string>((ids) => this.takeOutOfOutbox(ids), { maxBatchSize: 1_000, maxConcurrentBatches: 1, lingerMs: STATEMENT_LINGER_MS });

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly messages: MessagesRepository,
    private readonly applications: ApplicationsService,
    private readonly producer: KafkaProducer,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.eventsTopic = topicsFor(config.kafka.topicPrefix).events;
  }

  /**
   * The API's send: 202 for a new message; 409, as Svix answers, for an eventId the application
   * already sent. The admin token may create the application along with it (body.application).
   */
  async create(principal: Principal, appId: string, body: MessageIn): Promise<MessageOut> {
    const application = await this.applications.resolveOrCreate(principal, appId, body.application, { forSend: true });
    const { message, created } = await this.accept(application.id, body).catch((error: unknown) => {
      if (error instanceof UnstorableMessageError) throw new ValidationFailed([{ loc: ['body'], msg: error.message, type: 'unstorable' }]);
      if (error instanceof ApplicationGoneError) throw notFound('application');
      throw error;
    });
    if (!created) throw new ApiError(HttpStatus.CONFLICT, 'conflict', `a message with eventId "${body.eventId}" already exists: ${message.id}`);
    return messageOut(message);
  }

  async list(principal: Principal, appId: string, query: MessageListQuery): Promise<ListResponse<MessageOut>> {
    const application = await this.applications.resolve(principal, appId);
    const filter = { channel: query.channel, eventTypes: query.event_types === undefined ? undefined : [query.event_types].flat(), before: query.before, after: query.after };
    const withContent = query.with_content === 'true';
    const page = await this.messages.page(application.id, filter, query);
    if (!withContent) return mapPage(page, (message) => messageOut(withoutPayload(message)));
    return mapPage(await this.withPayloads(page, (message) => message, query), messageOut);
  }

  /** The page's messages with their payloads, cut to what one page may hold (MessagesRepository.withPayloads). */
  withPayloads<R>(page: ListResponse<R>, messageOf: (row: R) => Message, query: Pick<ListQuery, 'iterator'>): Promise<ListResponse<R>> {
    return this.messages.withPayloads(page, messageOf, query);
  }

  async get(principal: Principal, appId: string, msgId: string): Promise<MessageOut> {
    return messageOut(await this.findIn(await this.applications.resolve(principal, appId), msgId));
  }

  /** The application's message named by id or eventId; a 404 otherwise. */
  async findIn(application: Application, idOrEventId: string): Promise<Message> {
    return found(await this.messages.findIn(application.id, idOrEventId), 'message');
  }

  /**
   * The stored message, and whether this call created it (false: an earlier one with the same
   * eventId). A message from the ingest topic (`record`) waits for its turn before it goes to the
   * events topic, and is out of the outbox when this resolves.
   */
  async accept(applicationId: string, input: NewMessage, record?: IngestRecord): Promise<{ message: Message; created: boolean }> {
    const message = newMessage(applicationId, input);
    const earlier = await this.inserts.add({ message, fromIngestTopic: record !== undefined });
    if (earlier) {
      // Its first emit failed (or is still under way): this request emits it too.
      if (earlier.unemitted) {
        await record?.turn?.();
        await this.emit([earlier.message], { awaitOutbox: record !== undefined, repeat: true });
      }
      return { message: earlier.message, created: false };
    }
    await record?.turn?.();
    await this.emit([message], { awaitOutbox: record !== undefined });
    return { message, created: true };
  }

  /**
   * Stores a message meant for one endpoint alone (send-example): it is not routed to the
   * application's endpoints, so it skips the outbox and the events topic; the caller sends it.
   */
  async store(applicationId: string, input: NewMessage): Promise<Message> {
    const message = newMessage(applicationId, input);
    await this.messages.insertDirect(message);
    return message;
  }

  /**
   * Stores a message the platform writes itself (an operational event), once per eventId: durable
   * when this resolves, and emitted now or, should Kafka fail, by the outbox relay; so its caller,
   * which did not come for Kafka, does not fail with it.
   */
  async storePlatform(applicationId: string, input: NewMessage): Promise<void> {
    const message = newMessage(applicationId, input);
    if (await this.inserts.add({ message, fromIngestTopic: false })) return;
    this.emit([message]).catch((error: unknown) => this.logger.warn({ err: error, messageId: message.id }, 'could not emit a stored message; the outbox relay will'));
  }

  /**
   * Svix's expunge content: the payload goes, the message's metadata, statuses and attempts stay,
   * and it answers with `{"expired": true}` as its payload from then on.
   */
  async expunge(principal: Principal, appId: string, msgId: string): Promise<void> {
    await this.messages.expunge(await this.findIn(await this.applications.resolve(principal, appId), msgId));
  }

  /**
   * Emits messages to the events topic, then takes them out of the outbox. One send per message:
   * the producer gathers them into requests of a size the broker takes, however many there are.
   * One expunged while it waited there (Kafka was away) only leaves the outbox: it is never to be sent.
   * `awaitOutbox`: resolves only once they are out of the outbox too (an ingest-topic record's
   * commit must not come before it), and rejects if they could not be taken out. `repeat`: they
   * may have been emitted already (still in the outbox: the first emit failed, or is under way, or
   * its delete was lost), and their events say so (REPEAT_HEADER).
   */
  async emit(messages: Message[], { awaitOutbox = false, repeat = false } = {}): Promise<void> {
    await Promise.all(
      messages.filter(isSendable).map((message) => {
        const value: EventValue = {
          messageId: message.id,
          applicationId: message.applicationId,
          eventType: message.eventType,
          eventId: message.eventId,
          channels: message.channels,
          payload: message.payload,
          createdAt: message.createdAt.toISOString(),
          ...(message.orderingKey !== null && { orderingKey: message.orderingKey }),
        };
        return this.producer.send(this.eventsTopic, [{ key: message.applicationId, value: JSON.stringify(value), ...(repeat && { headers: REPEAT_HEADERS }) }]);
      }),
    );
    const takenOut = messages.map((message) => this.emitted.add(message.id));
    if (awaitOutbox) {
      await Promise.all(takenOut);
      return;
    }
    // Not awaited otherwise: the event is already durable in Kafka. Should the delete be lost, the
    // outbox relay emits the message once more, which at-least-once delivery allows.
    for (const taking of takenOut) taking.catch(() => undefined);
  }

  /** One batch of outbox deletes; a failure (PostgreSQL away) is one log line for the batch, not one per message. */
  private async takeOutOfOutbox(ids: readonly string[]): Promise<void> {
    try {
      await this.messages.takeOutOfOutbox(ids);
    } catch (error) {
      this.logger.warn({ err: error, messages: ids.length }, 'could not take emitted messages out of the outbox; they are emitted again (by the outbox relay, or by their ingest-topic records)');
      throw error;
    }
  }

  /**
   * Inserts the batch; for each message, null when it went in, else the earlier message with its
   * eventId. The batch holds many tenants' messages: a message PostgreSQL refuses fails alone
   * (UnstorableMessageError), the others go in.
   */
  private async insertAll(pending: readonly PendingInsert[]): Promise<Array<Earlier | null | Error>> {
    const batch = pending.map((insert) => insert.message);
    const fromIngestTopic = new Set(pending.filter((insert) => insert.fromIngestTopic).map((insert) => insert.message.id));
    const outcomes = await isolateRowFaults(
      batch,
      async (rows) => {
        const inserted = await this.messages.insertNew(rows, fromIngestTopic);
        return rows.map((message) => inserted.has(message.id));
      },
      isDataError,
    );
    const skipped = batch.filter((message, index) => outcomes[index] === false && message.eventId !== null);
    const earlier = await this.messages.findByEventId(skipped.map(({ applicationId, eventId }) => ({ applicationId, eventId: eventId! })));
    const unemitted = await this.messages.inOutbox(earlier.map((message) => message.id));
    const byEventId = new Map(earlier.map((message) => [`${message.applicationId} ${message.eventId}`, { message, unemitted: unemitted.has(message.id) }]));
    return batch.map((message, index) => {
      const outcome = outcomes[index];
      if (outcome instanceof Error) {
        this.logger.warn({ err: outcome, messageId: message.id, applicationId: message.applicationId }, 'message refused by the database; the rest of its batch was stored');
        return new UnstorableMessageError(outcome);
      }
      if (outcome) return null;
      return byEventId.get(`${message.applicationId} ${message.eventId}`) ?? new ApplicationGoneError(message.applicationId);
    });
  }
}
