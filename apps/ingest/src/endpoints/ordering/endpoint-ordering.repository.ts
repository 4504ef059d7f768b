import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A message of a FIFO endpoint's ordering key, as a head or a parked row. */
export interface OrderedRow {
  messageId: string;
  orderingKey: string;
}

/** A held key: its head failed. */
export interface HeldKeyRow {
  orderingKey: string;
  messageId: string;
  attemptCount: number;
  nextAttemptAt: Date | null;
  blockedSince: Date | null;
  waiting: number;
}

// The head of each key with open messages (the first by position), and how many wait behind it;
// only keys whose head has failed, after the iterator, in key order. Its first failed attempt
// since its last success says since when.
const HELD_KEYS = `
  WITH heads AS (
    SELECT DISTINCT ON (me.ordering_key) me.ordering_key, me.message_id, me.status, me.attempt_count, me.next_attempt_at
    FROM message_endpoints me
    WHERE me.endpoint_id = $1 AND me.ordering_key IS NOT NULL AND me.status IN ('pending', 'failed') AND ($2::text IS NULL OR me.ordering_key > $2)
    ORDER BY me.ordering_key, me.order_offset, me.message_id
  )
  SELECT h.ordering_key AS "orderingKey", h.message_id AS "messageId", h.attempt_count AS "attemptCount", h.next_attempt_at AS "nextAttemptAt",
    (SELECT min(a.created_at) FROM attempts a
      WHERE a.message_id = h.message_id AND a.endpoint_id = $1 AND NOT a.succeeded
        AND a.created_at > COALESCE((SELECT max(s.created_at) FROM attempts s WHERE s.message_id = h.message_id AND s.endpoint_id = $1 AND s.succeeded), '-infinity')) AS "blockedSince",
    (SELECT count(*)::int - 1 FROM message_endpoints w WHERE w.endpoint_id = $1 AND w.ordering_key = h.ordering_key AND w.status IN ('pending', 'failed')) AS "waiting"
  FROM heads h WHERE h.status = 'failed'
  ORDER BY h.ordering_key
  LIMIT $3`;

// Every open ordered row of the endpoint is parked: their tasks were dropped while it was disabled.
const PARK_OPEN = `
  UPDATE message_endpoints SET parked_at = now()
  WHERE endpoint_id = $1 AND ordering_key IS NOT NULL AND status IN ('pending', 'failed') AND parked_at IS NULL`;

// Each key's head, when it is parked and no attempt of the key holds the lease: nobody sends it.
const PARKED_HEADS = `
  SELECT h.message_id AS "messageId", h.ordering_key AS "orderingKey"
  FROM (SELECT DISTINCT ON (me.ordering_key) me.ordering_key, me.message_id, me.parked_at
        FROM message_endpoints me
        WHERE me.endpoint_id = $1 AND me.ordering_key IS NOT NULL AND me.status IN ('pending', 'failed')
        ORDER BY me.ordering_key, me.order_offset, me.message_id) h
  LEFT JOIN ordering_queues oq ON oq.endpoint_id = $1 AND oq.ordering_key = h.ordering_key
  WHERE h.parked_at IS NOT NULL AND (oq.lease_until IS NULL OR oq.lease_until <= now())`;

// Claims under way hold their key's lock: waiting for every key's lock lets them finish, and
// those that come after read that the endpoint is no longer FIFO.
const WAIT_FOR_CLAIMS = `SELECT 1 FROM ordering_queues WHERE endpoint_id = $1 ORDER BY ordering_key FOR UPDATE`;
const PARKED_OPEN = `
  SELECT message_id AS "messageId", ordering_key AS "orderingKey" FROM message_endpoints
  WHERE endpoint_id = $1 AND ordering_key IS NOT NULL AND status IN ('pending', 'failed') AND parked_at IS NOT NULL`;
const UNPARK = `UPDATE message_endpoints SET parked_at = NULL WHERE endpoint_id = $1 AND message_id = ANY($2::uuid[])`;

/** The ordered rows of one endpoint, as the API reads and reopens them (delivery claims them: docs/adr/0012). */
@Injectable()
export class EndpointOrderingRepository {
  constructor(private readonly dataSource: DataSource) {}

  async heldKeys(endpointId: string, after: string | null, limit: number): Promise<HeldKeyRow[]> {
    return (await this.dataSource.query(HELD_KEYS, [endpointId, after, limit])) as HeldKeyRow[];
  }

  async parkOpen(endpointId: string): Promise<void> {
    await this.dataSource.query(PARK_OPEN, [endpointId]);
  }

  async parkedHeads(endpointId: string): Promise<OrderedRow[]> {
    return (await this.dataSource.query(PARKED_HEADS, [endpointId])) as OrderedRow[];
  }

  /** The parked open rows of an endpoint that is no longer FIFO, once no claim can park another. */
  parkedAfterClaims(endpointId: string): Promise<OrderedRow[]> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(WAIT_FOR_CLAIMS, [endpointId]);
      return (await manager.query(PARKED_OPEN, [endpointId])) as OrderedRow[];
    });
  }

  async unpark(endpointId: string, messageIds: readonly string[]): Promise<void> {
    await this.dataSource.query(UNPARK, [endpointId, messageIds]);
  }
}
