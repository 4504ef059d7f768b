import { type Attempt, type AttemptTrigger, type DeliveryStatus, idBounds, preparedStatement, unnestParameters } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** One attempt as delivery writes it (an expunged response, null, only ever comes later). */
export type AttemptRow = Omit<Attempt, 'message' | 'endpoint' | 'trigger' | 'responseExcerpt'> & { trigger: AttemptTrigger; responseExcerpt: string };

/** Where a message stands with an endpoint: its message_endpoints row. */
export interface StatusRow {
  messageId: string;
  endpointId: string;
  applicationId: string;
  status: DeliveryStatus;
  attemptCount: number;
  lastAttemptAt: Date;
  nextAttemptAt: Date | null;
}

/** An endpoint's latest outcome in a batch: a failure starts its failing_since, a success clears it. */
export interface EndpointOutcome {
  endpointId: string;
  succeeded: boolean;
  at: Date;
}

/** The outcome of an attempt of an ordered message, and the lease it held (null: none, as for a dead letter without an attempt). */
export interface OrderedOutcome {
  endpointId: string;
  orderingKey: string;
  leaseToken: string | null;
}

/** A parked message now at the head of its key, which nobody is sending: to be sent now. */
export interface Promotion {
  endpointId: string;
  orderingKey: string;
  messageId: string;
}

/** An endpoint that is failing, as the batch left it. */
export interface FailingEndpoint {
  id: string;
  applicationId: string;
  uid: string | null;
  failingSince: Date | null;
  disabled: boolean;
}

// A batch's attempts, the status rows they lead to, and its endpoints' failing_since, in one
// statement (one round trip and one implicit transaction, where five statements made four more).
// An attempt whose message or endpoint was deleted while it ran is skipped rather than failing
// the whole batch (and every delivery in it) on a foreign key, and so is its status row: a status
// is written only for a pair an attempt of the batch went in for. $15 and $16, the lowest and
// highest message id of the batch, keep the planning of the search of messages (partitioned by
// id) to the partitions the batch falls in. An attempt written already (its record answered an
// error after the commit, and delivery recorded it again) is left as it is, and so its status
// row. A success is final: a late duplicate of an earlier
// failed attempt never overwrites it. failing_since is set at an endpoint's first failure and
// cleared on a success.
const RECORD_BATCH = preparedStatement('hookline_record_attempts', `
  WITH attempted AS (
    INSERT INTO attempts (id, message_id, endpoint_id, application_id, attempt_number, url, succeeded, response_status_code,
                          response_duration_ms, response_excerpt, error, trigger, created_at, trace_id)
    SELECT v.* FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::int[], $6::text[], $7::boolean[], $8::int[],
                           $9::int[], $10::text[], $11::text[], $12::attempt_trigger[], $13::timestamptz[], $14::text[]) AS v(id, message_id, endpoint_id)
    WHERE EXISTS (SELECT 1 FROM endpoints WHERE endpoints.id = v.endpoint_id)
      AND EXISTS (SELECT 1 FROM messages WHERE messages.id = v.message_id AND messages.id BETWEEN $15::uuid AND $16::uuid)
    ON CONFLICT DO NOTHING
    RETURNING message_id, endpoint_id
  ), statuses AS (
    INSERT INTO message_endpoints (message_id, endpoint_id, application_id, status, attempt_count, last_attempt_at, next_attempt_at)
    SELECT s.* FROM unnest($17::uuid[], $18::uuid[], $19::uuid[], $20::delivery_status[], $21::int[], $22::timestamptz[], $23::timestamptz[]) AS s(message_id, endpoint_id)
    WHERE (s.message_id, s.endpoint_id) IN (SELECT message_id, endpoint_id FROM attempted)
    ON CONFLICT (message_id, endpoint_id) DO UPDATE SET
      status = CASE WHEN message_endpoints.status = 'succeeded' THEN message_endpoints.status ELSE EXCLUDED.status END,
      attempt_count = GREATEST(message_endpoints.attempt_count, EXCLUDED.attempt_count),
      last_attempt_at = EXCLUDED.last_attempt_at,
      next_attempt_at = CASE WHEN message_endpoints.status = 'succeeded' THEN NULL ELSE EXCLUDED.next_attempt_at END,
      updated_at = now()
  )
  UPDATE endpoints AS e
    SET failing_since = CASE WHEN o.ok THEN NULL ELSE COALESCE(e.failing_since, o.at) END
  FROM unnest($24::uuid[], $25::boolean[], $26::timestamptz[]) AS o(id, ok, at)
  WHERE e.id = o.id AND (NOT o.ok OR e.failing_since IS NOT NULL)
  RETURNING e.id, e.application_id, e.uid, e.failing_since, e.disabled`);

// A task dead-lettered without an attempt (postponed past its window): the status alone. A task
// never attempted gets the dead-letter time as its last_attempt_at, which the dead-letter
// listing filters on.
const MARK_DEAD = `
  INSERT INTO message_endpoints (message_id, endpoint_id, application_id, status, last_attempt_at)
  SELECT $1, $2, $3, 'dead', $4
  WHERE EXISTS (SELECT 1 FROM endpoints WHERE id = $2) AND EXISTS (SELECT 1 FROM messages WHERE id = $1)
  ON CONFLICT (message_id, endpoint_id) DO UPDATE SET
    status = CASE WHEN message_endpoints.status = 'succeeded' THEN message_endpoints.status ELSE 'dead' END,
    last_attempt_at = COALESCE(message_endpoints.last_attempt_at, EXCLUDED.last_attempt_at),
    next_attempt_at = NULL,
    updated_at = now()`;

// The latest attempt of a pair since a time (the task's first attempt), through (message_id, created_at).
const LAST_ATTEMPT = `
  SELECT id, response_status_code, created_at FROM attempts
  WHERE message_id = $1 AND endpoint_id = $2 AND created_at >= $3
  ORDER BY created_at DESC LIMIT 1`;

// The scheduled attempts already recorded of the given (message, endpoint, attempt number)
// triples that a repeat of the task must not make again: a success while its pair stands
// delivered, or a failure while its pair is not pending (the failure's follow-up was handed on
// before the attempt was recorded, so the task goes on from there). A resend, a replay or a switch
// of the endpoint's ordering sets its pair pending again: an earlier attempt then says nothing of
// the tasks sent for it. A success wins over a failure of the same number, then the latest.
// "ended" names a failure that ended its pair: dead (its schedule's or window's last), or gone
// (a 410 Gone, which sets no next attempt). $4 and $5, the batch's lowest and highest message id,
// keep the search to the partitions it falls in.
const RECORDED = `
  SELECT DISTINCT ON (a.message_id, a.endpoint_id, a.attempt_number)
         a.message_id AS "messageId", a.endpoint_id AS "endpointId", a.attempt_number AS "attemptNumber", a.succeeded,
         a.response_status_code AS "statusCode", a.error, a.response_excerpt AS "responseExcerpt",
         a.created_at + a.response_duration_ms * interval '1 millisecond' AS "answeredAt",
         CASE WHEN a.succeeded OR me.attempt_count <> a.attempt_number THEN NULL
              WHEN me.status = 'dead' THEN 'dead'
              WHEN me.status = 'failed' AND me.next_attempt_at IS NULL AND a.response_status_code = 410 THEN 'gone' END AS "ended"
  FROM attempts a
  JOIN message_endpoints me ON me.message_id = a.message_id AND me.endpoint_id = a.endpoint_id
   AND (me.status = 'succeeded' OR (NOT a.succeeded AND me.status <> 'pending'))
  WHERE (a.message_id, a.endpoint_id, a.attempt_number) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[]))
    AND a.message_id BETWEEN $4::uuid AND $5::uuid AND me.message_id BETWEEN $4::uuid AND $5::uuid
    AND a.trigger = 'scheduled'
  ORDER BY a.message_id, a.endpoint_id, a.attempt_number, a.succeeded DESC, a.created_at DESC`;

// The locks of the keys whose outcomes a transaction writes, taken first and in one order: a
// claim takes its key's lock before it reads or parks a status row, so an outcome and a claim of
// one key never interleave, and two batches never wait on each other in a cycle.
const LOCK_KEYS = `
  SELECT 1 FROM ordering_queues WHERE (endpoint_id, ordering_key) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))
  ORDER BY endpoint_id, ordering_key FOR UPDATE`;

// Releases the leases, names the parked heads to send, drops keys left empty (the migration's hookline_ordering_settle).
const SETTLE_KEYS = `SELECT endpoint AS "endpointId", ordering_key AS "orderingKey", promote AS "messageId" FROM hookline_ordering_settle($1::uuid[], $2::text[], $3::uuid[])`;

/**
 * Text PostgreSQL can store, whatever a receiver sent: U+0000, which a response may contain, and
 * unpaired surrogates (which the UTF-8 decoding of a response never yields, but an error message
 * might) become U+FFFD. Every other column of an attempt is Hookline's own (ids, numbers, the
 * endpoint's validated URL), so no row of a batch can fail it for the others.
 */
const storableText = (text: string) => text.replaceAll('\u0000', '\uFFFD').toWellFormed();
const storable = (attempt: AttemptRow): AttemptRow => ({
  ...attempt,
  responseExcerpt: storableText(attempt.responseExcerpt),
  error: attempt.error === null ? null : storableText(attempt.error),
});

/** Which attempt of which task: a delivery task names its message, its endpoint and its attempt number. */
export interface TaskAttempt {
  messageId: string;
  endpointId: string;
  attemptNumber: number;
}

/** An attempt already recorded that a repeat of its task does not make again, with what its outcome record says. */
export interface RecordedAttempt extends TaskAttempt {
  succeeded: boolean;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
  answeredAt: Date;
  /** How the failure ended its pair, if it did: dead (the last of its schedule or window), or gone (a 410 Gone). */
  ended: 'dead' | 'gone' | null;
}

/** The attempts table, the message_endpoints status rows and endpoints' failing_since. */
@Injectable()
export class AttemptRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Writes a batch at once: its attempts, the status rows they lead to (one per pair), and each
   * endpoint's latest outcome; for the ordered ones, in the same transaction, the keys' leases are
   * released and the parked heads to send now are returned. Returns the endpoints now failing too.
   */
  async writeBatch(batch: {
    attempts: readonly AttemptRow[];
    statuses: readonly StatusRow[];
    outcomes: readonly EndpointOutcome[];
    ordered: readonly OrderedOutcome[];
  }): Promise<{ failing: FailingEndpoint[]; promotions: Promotion[] }> {
    const { attempts, statuses, outcomes, ordered } = batch;
    const parameters = [
      ...unnestParameters(attempts.map(storable), ['id', 'messageId', 'endpointId', 'applicationId', 'attemptNumber', 'url', 'succeeded', 'responseStatusCode', 'responseDurationMs', 'responseExcerpt', 'error', 'trigger', 'createdAt', 'traceId']),
      ...idBounds(attempts.map((attempt) => attempt.messageId)),
      ...unnestParameters(statuses, ['messageId', 'endpointId', 'applicationId', 'status', 'attemptCount', 'lastAttemptAt', 'nextAttemptAt']),
      ...unnestParameters(outcomes, ['endpointId', 'succeeded', 'at']),
    ];
    const record = async (manager: EntityManager) => {
      // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
      const [rows] = (await manager.query(RECORD_BATCH, parameters)) as [
        Array<{ id: string; application_id: string; uid: string | null; failing_since: Date | null; disabled: boolean }>,
        number,
      ];
      return rows.map((row) => ({
        id: row.id,
        applicationId: row.application_id,
        uid: row.uid,
        failingSince: row.failing_since === null ? null : new Date(row.failing_since),
        disabled: row.disabled,
      }));
    };
    // The ordered ones lock their keys before the outcome and settle them after it, in one transaction.
    if (ordered.length === 0) return { failing: await record(this.dataSource.manager), promotions: [] };
    return this.dataSource.transaction(async (manager) => {
      await manager.query(LOCK_KEYS, unnestParameters(ordered, ['endpointId', 'orderingKey']));
      const failing = await record(manager);
      const promotions = (await manager.query(SETTLE_KEYS, unnestParameters(ordered, ['endpointId', 'orderingKey', 'leaseToken']))) as Promotion[];
      return { failing, promotions };
    });
  }

  /**
   * Marks a pair dead that was dead-lettered without an attempt; for an ordered message (its
   * `orderingKey` given), the key moves on: the parked head to send now is returned.
   */
  async markDead(pair: { messageId: string; endpointId: string; applicationId: string; orderingKey?: string }, at: Date): Promise<Promotion[]> {
    const { orderingKey } = pair;
    if (orderingKey === undefined) {
      await this.dataSource.query(MARK_DEAD, [pair.messageId, pair.endpointId, pair.applicationId, at]);
      return [];
    }
    return this.dataSource.transaction(async (manager) => {
      await manager.query(LOCK_KEYS, [[pair.endpointId], [orderingKey]]);
      await manager.query(MARK_DEAD, [pair.messageId, pair.endpointId, pair.applicationId, at]);
      return (await manager.query(SETTLE_KEYS, [[pair.endpointId], [orderingKey], [null]])) as Promotion[];
    });
  }

  /** The attempts of `wanted` already recorded that their repeats need not make again (see RECORDED). */
  async recorded(wanted: readonly TaskAttempt[]): Promise<RecordedAttempt[]> {
    const rows = (await this.dataSource.query(RECORDED, [
      ...unnestParameters(wanted, ['messageId', 'endpointId', 'attemptNumber']),
      ...idBounds(wanted.map((attempt) => attempt.messageId)),
    ])) as RecordedAttempt[];
    return rows.map((row) => ({ ...row, answeredAt: new Date(row.answeredAt) }));
  }

  /** The pair's latest attempt made since `since`, if any. */
  async lastAttempt(pair: { messageId: string; endpointId: string }, since: Date): Promise<{ id: string; statusCode: number | null; at: Date } | null> {
    const [row] = (await this.dataSource.query(LAST_ATTEMPT, [pair.messageId, pair.endpointId, since])) as Array<{ id: string; response_status_code: number | null; created_at: Date }>;
    return row ? { id: row.id, statusCode: row.response_status_code, at: new Date(row.created_at) } : null;
  }
}
