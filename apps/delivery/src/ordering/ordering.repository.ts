import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Promotion } from '../attempts/attempt.repository.js';

/** What the claim of an ordered task decided (the migration's hookline_ordering_claim says each). */
export type ClaimDecision = 'done' | 'unordered' | 'park' | 'wait' | 'busy' | 'go';

export interface Claim {
  messageId: string;
  endpointId: string;
  decision: ClaimDecision;
  /** With go: the lease's token, and the message's position (the offset of its event). */
  token: string | null;
  position: string | null;
  /** With busy: how long the lease held by another attempt still runs. */
  retryMs: number | null;
  /** With done or park: the parked head of the key, which nobody is sending. */
  promote: string | null;
}

export interface ClaimRequest {
  messageId: string;
  endpointId: string;
  orderingKey: string;
}

/** A route that is delivered or dead already, with its last attempt (none for a dead letter made without one). */
export interface SettledRoute {
  status: 'succeeded' | 'dead';
  attempts: number;
  statusCode: number | null;
  /** When the last attempt's response came. */
  answeredAt: Date | null;
  error: string | null;
  responseExcerpt: string | null;
}

/** A message as a task is made of it. */
export interface MessageRow {
  id: string;
  applicationId: string;
  eventType: string;
  eventId: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
}

const CLAIM = `
  SELECT message AS "messageId", endpoint AS "endpointId", decision, token, at_offset AS "position", retry_ms AS "retryMs", promote
  FROM hookline_ordering_claim($1::uuid[], $2::uuid[], $3::text[], $4, $5)`;
// The heads parked for longer than $1 ms, their key's lease free and no promotion of them recent:
// nobody is sending them. Each is marked promoted as it is found (the migration's hookline_ordering_promote).
const STRANDED_HEADS = `
  SELECT oq.endpoint_id AS "endpointId", oq.ordering_key AS "orderingKey", h.message_id AS "messageId"
  FROM ordering_queues oq CROSS JOIN LATERAL hookline_ordering_head(oq.endpoint_id, oq.ordering_key) h
  WHERE CASE WHEN h.parked_at < now() - $1 * interval '1 millisecond' THEN hookline_ordering_promote(oq.endpoint_id, oq.ordering_key, h.message_id) END
  LIMIT $2`;
const RELEASE = `UPDATE ordering_queues SET lease_token = NULL, lease_until = NULL WHERE endpoint_id = $1 AND ordering_key = $2 AND lease_token = $3`;
const SETTLED = `
  SELECT me.status, me.attempt_count AS "attempts", a.response_status_code AS "statusCode",
         a.created_at + a.response_duration_ms * interval '1 millisecond' AS "answeredAt", a.error, a.response_excerpt AS "responseExcerpt"
  FROM message_endpoints me
  LEFT JOIN LATERAL (SELECT * FROM attempts WHERE message_id = me.message_id AND endpoint_id = me.endpoint_id ORDER BY created_at DESC LIMIT 1) a ON true
  WHERE me.message_id = $1 AND me.endpoint_id = $2 AND me.status IN ('succeeded', 'dead')`;
const MESSAGES = `SELECT id, application_id AS "applicationId", event_type AS "eventType", event_id AS "eventId", payload, created_at AS "createdAt" FROM messages WHERE id = ANY($1::uuid[])`;

/** The claims of ordered tasks, decided in PostgreSQL under each key's lock (docs/adr/0012). */
@Injectable()
export class OrderingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One claim per request, in no particular order; `eventsTopic` names fanout's progress to compare positions with. */
  async claim(requests: readonly ClaimRequest[], eventsTopic: string, leaseMs: number): Promise<Claim[]> {
    return (await this.dataSource.query(CLAIM, [requests.map((r) => r.messageId), requests.map((r) => r.endpointId), requests.map((r) => r.orderingKey), eventsTopic, leaseMs])) as Claim[];
  }

  /** Gives a lease back before its attempt was made (the rate limit or the circuit breaker postponed it). */
  async release(endpointId: string, orderingKey: string, token: string): Promise<void> {
    await this.dataSource.query(RELEASE, [endpointId, orderingKey, token]);
  }

  /** Parked heads that nobody is sending, each marked promoted: parked for longer than `parkedForMs`, their key's lease free, not promoted recently. */
  async strandedHeads(parkedForMs: number, limit: number): Promise<Promotion[]> {
    return (await this.dataSource.query(STRANDED_HEADS, [parkedForMs, limit])) as Promotion[];
  }

  /** The route's final state, if it has one. */
  async settled(messageId: string, endpointId: string): Promise<SettledRoute | null> {
    return ((await this.dataSource.query(SETTLED, [messageId, endpointId])) as SettledRoute[])[0] ?? null;
  }

  async messages(ids: readonly string[]): Promise<MessageRow[]> {
    return (await this.dataSource.query(MESSAGES, [ids])) as MessageRow[];
  }
}
