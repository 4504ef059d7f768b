import { Message, MessageEndpoint, preparedStatement, unnestParameters, uuidFloor } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, MoreThanOrEqual, type ObjectLiteral, Repository, type SelectQueryBuilder } from 'typeorm';
import { isUuid } from '../http/lookup.js';
import { cutPage, type ListResponse, paginate, readsBackward } from '../http/pagination.js';
import type { ListQuery } from '../http/schemas.js';

/**
 * How far back an eventId already sent makes a message with it a repeat: a day, as Svix promises
 * ("unique only up to a day"); never beyond HOOKLINE_RETENTION either, as older messages are gone.
 */
const EVENT_ID_LOOKBACK_MS = 86_400_000;

/** The smallest message id of the look-back (a parameter: only the partitions of that day are planned and searched). */
const lookbackFloor = () => uuidFloor(new Date(Date.now() - EVENT_ID_LOOKBACK_MS));

// Inserts a batch of messages, each with its outbox row, in one statement. A row whose
// (application, eventId) was sent within the look-back is skipped (de-duplication: the
// partition's unique index within its own range, the NOT EXISTS across the others), and so is one
// whose application has just been deleted; the final SELECT says which rows went in.
const INSERT_MESSAGES = preparedStatement('hookline_insert_messages', `
  WITH inserted AS (
    INSERT INTO messages (id, application_id, event_type, event_id, channels, payload, created_at, ordering_key, trace_id)
    SELECT v.id, v.application_id, v.event_type, v.event_id, ARRAY(SELECT jsonb_array_elements_text(v.channels)), v.payload, v.created_at, v.ordering_key, v.trace_id
    FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::timestamptz[], $8::text[], $9::text[])
      AS v(id, application_id, event_type, event_id, channels, payload, created_at, ordering_key, trace_id)
    WHERE EXISTS (SELECT 1 FROM applications WHERE applications.id = v.application_id)
      AND (v.event_id IS NULL OR NOT EXISTS (
        SELECT 1 FROM messages earlier WHERE earlier.application_id = v.application_id AND earlier.event_id = v.event_id AND earlier.id >= $10::uuid))
    ON CONFLICT DO NOTHING
    RETURNING id, created_at
  ), queued AS (
    INSERT INTO message_outbox (message_id, created_at, from_ingest_topic) SELECT id, created_at, id = ANY($11::uuid[]) FROM inserted
  )
  SELECT id FROM inserted`);

// An ordered row keeps its position: it is open again, and parked until its task claims it.
const REOPEN_ORDERED = `
  UPDATE message_endpoints me SET status = 'pending', parked_at = now(), updated_at = now()
  FROM unnest($1::uuid[], $2::uuid[]) AS v(message_id, endpoint_id)
  WHERE me.message_id = v.message_id AND me.endpoint_id = v.endpoint_id AND me.ordering_key IS NOT NULL
  RETURNING me.message_id, me.endpoint_id, me.ordering_key`;

const IN_OUTBOX = 'SELECT message_id FROM message_outbox WHERE message_id = ANY($1::uuid[])';
// The rows of ingest-topic records are left to their records, which emit them in their turn.
const STRANDED = 'SELECT message_id FROM message_outbox WHERE created_at < $1 AND quarantined_at IS NULL AND NOT from_ingest_topic ORDER BY message_id LIMIT $2';

const MARK_PENDING = `
  INSERT INTO message_endpoints (message_id, endpoint_id, application_id, status)
  SELECT v.*, 'pending' FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS v(message_id, endpoint_id, application_id)
  ON CONFLICT (message_id, endpoint_id) DO UPDATE SET status = 'pending', next_attempt_at = NULL, updated_at = now()`;
const TAKE_OUT_OF_OUTBOX = 'DELETE FROM message_outbox WHERE message_id = ANY($1::uuid[])';
const QUARANTINE = 'UPDATE message_outbox SET quarantined_at = now(), problem = $2 WHERE message_id = $1';

/** Narrows a listing of an application's messages. */
export interface MessageFilter {
  channel?: string;
  eventTypes?: string[];
  before?: Date;
  after?: Date;
}

/**
 * Bytes of payload text one page of a listing with content holds at most (always one message, at
 * least). Parsed, a payload can take ten times its text in heap: 250 of 256 KiB would be far more
 * than an instance's memory.
 */
export const PAGE_PAYLOAD_BYTES = 4 * 1024 * 1024;

/**
 * Selects the message of `alias` (the query's own entity, or one joined as `alias`) with or
 * without its payload. A listing that leaves payloads out does not read them: the driver turns
 * each one into objects, and a page of large ones (up to 256 KiB of small arrays each, several
 * MB of heap apiece) could take an instance's memory only to be dropped.
 */
export function selectMessage<E extends ObjectLiteral>(builder: SelectQueryBuilder<E>, alias: string, withPayload: boolean): SelectQueryBuilder<E> {
  const columns = builder.connection
    .getMetadata(Message)
    .columns.filter((column) => withPayload || column.propertyName !== 'payload')
    .map((column) => `${alias}.${column.propertyPath}`);
  return builder.expressionMap.mainAlias?.name === alias ? builder.select(columns) : builder.addSelect(columns);
}

/** Messages, their outbox (accepted, not yet on the events topic) and their status per endpoint. */
@Injectable()
export class MessagesRepository {
  constructor(
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(MessageEndpoint) private readonly statuses: Repository<MessageEndpoint>,
  ) {}

  /** Inserts the messages, each with its outbox row (owned by its record for those from the ingest topic); the ids of those that went in. */
  async insertNew(batch: readonly Message[], fromIngestTopic: ReadonlySet<string> = new Set()): Promise<Set<string>> {
    const rows = (await this.messages.query(INSERT_MESSAGES, [
      batch.map((m) => m.id),
      batch.map((m) => m.applicationId),
      batch.map((m) => m.eventType),
      batch.map((m) => m.eventId),
      batch.map((m) => JSON.stringify(m.channels)),
      batch.map((m) => JSON.stringify(m.payload)),
      batch.map((m) => m.createdAt),
      batch.map((m) => m.orderingKey),
      batch.map((m) => m.traceId),
      lookbackFloor(),
      batch.filter((m) => fromIngestTopic.has(m.id)).map((m) => m.id),
    ])) as Array<{ id: string }>;
    return new Set(rows.map((row) => row.id));
  }

  /** Inserts a message that never goes to the events topic (so has no outbox row): it is sent to one endpoint directly. */
  async insertDirect(message: Message): Promise<void> {
    await this.messages.save(message);
  }

  /** The messages with these (application, eventId) pairs sent within the look-back. */
  async findByEventId(keys: ReadonlyArray<{ applicationId: string; eventId: string }>): Promise<Message[]> {
    const since = MoreThanOrEqual(lookbackFloor());
    return keys.length > 0 ? this.messages.find({ where: keys.map(({ applicationId, eventId }) => ({ applicationId, eventId, id: since })) }) : [];
  }

  /** Which of these messages are still in the outbox. */
  async inOutbox(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = (await this.messages.query(IN_OUTBOX, [ids])) as Array<{ message_id: string }>;
    return new Set(rows.map((row) => row.message_id));
  }

  /** Takes messages out of the outbox: they are on the events topic. */
  async takeOutOfOutbox(ids: readonly string[]): Promise<void> {
    await this.messages.query(TAKE_OUT_OF_OUTBOX, [ids]);
  }

  /** Sets an outbox row aside, with the reason, so that the relay no longer tries it. */
  async quarantine(id: string, problem: string): Promise<void> {
    await this.messages.query(QUARANTINE, [id, problem]);
  }

  /**
   * Messages in the outbox since before `cutoff`, not set aside, oldest first (ids are UUIDv7, so the primary
   * key's order). The outbox is read first: a join would have PostgreSQL plan, and may have it
   * scan, every partition of messages.
   */
  async stranded(cutoff: Date, limit: number): Promise<Message[]> {
    const ids = ((await this.messages.query(STRANDED, [cutoff, limit])) as Array<{ message_id: string }>).map((row) => row.message_id);
    if (ids.length === 0) return [];
    const found = await this.messages.find({ where: { id: In(ids) }, order: { id: 'ASC' } });
    // An outbox row whose message is gone would be picked again and again: it goes.
    const gone = ids.filter((id) => !found.some((message) => message.id === id));
    if (gone.length > 0) await this.takeOutOfOutbox(gone);
    return found;
  }

  /**
   * The application's message named by id or eventId (the id wins; of messages sharing an eventId,
   * which happens past the look-back, the latest).
   */
  async findIn(applicationId: string, idOrEventId: string): Promise<Message | null> {
    const byId = isUuid(idOrEventId) ? await this.messages.findOneBy({ applicationId, id: idOrEventId }) : null;
    return byId ?? this.messages.findOne({ where: { applicationId, eventId: idOrEventId }, order: { id: 'DESC' } });
  }

  /** Removes the message's payload (Svix's expunge content); its metadata, statuses and attempts stay. */
  async expunge(message: Message): Promise<void> {
    await this.messages.update({ id: message.id }, { payload: null });
  }

  /** A page of the application's messages, newest first unless asked otherwise, without their payloads (withPayloads adds them). */
  page(applicationId: string, filter: MessageFilter, query: ListQuery): Promise<ListResponse<Message>> {
    const builder = selectMessage(this.messages.createQueryBuilder('msg'), 'msg', false).where('msg.application_id = :applicationId', { applicationId });
    if (filter.channel) builder.andWhere(':channel = ANY(msg.channels)', { channel: filter.channel });
    if (filter.eventTypes) builder.andWhere('msg.event_type IN (:...types)', { types: filter.eventTypes });
    if (filter.before) builder.andWhere('msg.created_at < :before', { before: filter.before });
    if (filter.after) builder.andWhere('msg.created_at > :after', { after: filter.after });
    return paginate(builder, 'msg.id', query, 'descending');
  }

  /** Reopens the pairs routed to a FIFO endpoint (see REOPEN_ORDERED); their ordering keys by "<message id> <endpoint id>". */
  async reopenOrdered(pairs: ReadonlyArray<{ messageId: string; endpointId: string }>): Promise<Map<string, string>> {
    const [rows] = (await this.statuses.query(REOPEN_ORDERED, [pairs.map(({ messageId }) => messageId), pairs.map(({ endpointId }) => endpointId)])) as [
      Array<{ message_id: string; endpoint_id: string; ordering_key: string }>,
      number,
    ];
    return new Map(rows.map((row) => [`${row.message_id} ${row.endpoint_id}`, row.ordering_key]));
  }

  /**
   * The page's messages (read without their payloads) with their payloads, the page cut where the
   * payloads' text passes PAGE_PAYLOAD_BYTES, nearest the cursor kept. Their sizes are asked of
   * PostgreSQL first, so that no more payloads than that are read.
   */
  async withPayloads<R>(page: ListResponse<R>, messageOf: (row: R) => Message, query: Pick<ListQuery, 'iterator'>): Promise<ListResponse<R>> {
    if (page.data.length === 0) return page;
    const ids = page.data.map((row) => messageOf(row).id);
    const sizes = (await this.messages.query('SELECT id, coalesce(octet_length(payload::text), 0) AS bytes FROM messages WHERE id = ANY($1::uuid[])', [ids])) as Array<{ id: string; bytes: string }>;
    const bytesOf = new Map(sizes.map((row) => [row.id, Number(row.bytes)]));
    let [keep, bytes] = [0, 0];
    for (const id of readsBackward(query) ? [...ids].reverse() : ids) {
      bytes += bytesOf.get(id) ?? 0;
      if (keep > 0 && bytes > PAGE_PAYLOAD_BYTES) break;
      keep++;
    }
    const cut = cutPage(page, keep, query, (row) => [messageOf(row).id]);
    const payloads = new Map((await this.messages.find({ select: { id: true, payload: true }, where: { id: In(cut.data.map((row) => messageOf(row).id)) } })).map((message) => [message.id, message.payload]));
    // A message deleted meanwhile (retention) shows as expunged.
    for (const row of cut.data) messageOf(row).payload = payloads.get(messageOf(row).id) ?? null;
    return cut;
  }

  /** The messages of these ids. */
  findByIds(ids: readonly string[]): Promise<Message[]> {
    return ids.length > 0 ? this.messages.findBy({ id: In([...ids]) }) : Promise.resolve([]);
  }

  /**
   * Each (message, endpoint) is pending again: a fresh delivery task is on its way, with a window
   * of its own from now, which the retention sweep respects (updated_at).
   */
  async markPending(pairs: ReadonlyArray<{ message: Message; endpointId: string }>): Promise<void> {
    await this.statuses.query(MARK_PENDING, unnestParameters(pairs.map(({ message, endpointId }) => ({ messageId: message.id, endpointId, applicationId: message.applicationId })), ['messageId', 'endpointId', 'applicationId']));
  }
}
