import { Coalescer, STATEMENT_LINGER_MS } from '@hookline/batching';
import type { Attempt, AttemptTrigger, DeliveryStatus } from '@hookline/database';
import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { EndpointDisabler } from './endpoint-disabler.js';

export interface AttemptRecord {
  attempt: Omit<Attempt, 'message' | 'endpoint' | 'trigger'> & { trigger: AttemptTrigger };
  /** Where the message stands with the endpoint after this attempt. */
  status: DeliveryStatus;
  /** When the next attempt is due, if one is scheduled. */
  nextAttemptAt: Date | null;
}

const MAX_BATCH = 500;

// The statements below skip rows whose message or endpoint was deleted while the attempt ran,
// rather than failing the whole batch (and every delivery in it) on a foreign key.
const INSERT_ATTEMPTS = `
  INSERT INTO attempts (id, message_id, endpoint_id, application_id, attempt_number, url, succeeded, response_status_code,
                        response_duration_ms, response_excerpt, error, trigger, created_at)
  SELECT v.* FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::int[], $6::text[], $7::boolean[], $8::int[],
                         $9::int[], $10::text[], $11::text[], $12::attempt_trigger[], $13::timestamptz[]) AS v(id, message_id, endpoint_id)
  WHERE EXISTS (SELECT 1 FROM endpoints WHERE endpoints.id = v.endpoint_id) AND EXISTS (SELECT 1 FROM messages WHERE messages.id = v.message_id)`;

// A success is final: a late duplicate of an earlier failed attempt never overwrites it.
const UPSERT_STATUSES = `
  INSERT INTO message_endpoints (message_id, endpoint_id, application_id, status, attempt_count, last_attempt_at, next_attempt_at)
  SELECT v.* FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::delivery_status[], $5::int[], $6::timestamptz[], $7::timestamptz[]) AS v(message_id, endpoint_id)
  WHERE EXISTS (SELECT 1 FROM endpoints WHERE endpoints.id = v.endpoint_id) AND EXISTS (SELECT 1 FROM messages WHERE messages.id = v.message_id)
  ON CONFLICT (message_id, endpoint_id) DO UPDATE SET
    status = CASE WHEN message_endpoints.status = 'succeeded' THEN message_endpoints.status ELSE EXCLUDED.status END,
    attempt_count = GREATEST(message_endpoints.attempt_count, EXCLUDED.attempt_count),
    last_attempt_at = EXCLUDED.last_attempt_at,
    next_attempt_at = CASE WHEN message_endpoints.status = 'succeeded' THEN NULL ELSE EXCLUDED.next_attempt_at END,
    updated_at = now()`;

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

// Sets failing_since at an endpoint's first failure and clears it on a success.
const TRACK_FAILING = `
  UPDATE endpoints AS e
    SET failing_since = CASE WHEN v.ok THEN NULL ELSE COALESCE(e.failing_since, v.at) END
  FROM unnest($1::uuid[], $2::boolean[], $3::timestamptz[]) AS v(id, ok, at)
  WHERE e.id = v.id AND (NOT v.ok OR e.failing_since IS NOT NULL)
  RETURNING e.id, e.application_id, e.failing_since, e.disabled`;

/** PostgreSQL text cannot hold U+0000, which a receiver's response may contain. */
const withoutNul = (text: string) => text.replaceAll('\u0000', '\uFFFD');

/**
 * Writes attempts, the message-endpoint status they lead to, and whether each endpoint is failing
 * in batches: one transaction per batch instead of statements per delivery. record() resolves
 * once its batch is committed, so the consumer commits the Kafka offset only after the outcome is
 * durable. One batch at a time: a status update must not race an older one for the same pair.
 */
@Injectable()
export class AttemptRecorder {
  private readonly batches = new Coalescer<AttemptRecord>((records) => this.write(records), { maxBatchSize: MAX_BATCH, maxConcurrentBatches: 1, lingerMs: STATEMENT_LINGER_MS });

  constructor(
    private readonly dataSource: DataSource,
    @Inject(HOOKLINE_CONFIG) private readonly config: HooklineConfig,
    private readonly disabler: EndpointDisabler,
  ) {}

  record(record: AttemptRecord): Promise<void> {
    return this.batches.add(record);
  }

  /** Marks a pair dead that was dead-lettered without an attempt; rare, so not batched. */
  async markDead(pair: { messageId: string; endpointId: string; applicationId: string }, at: Date): Promise<void> {
    await this.dataSource.query(MARK_DEAD, [pair.messageId, pair.endpointId, pair.applicationId, at]);
  }

  private async write(records: readonly AttemptRecord[]): Promise<void> {
    const failingTooLong = await this.writeBatch(records);
    // After the commit: the disable and its operational event follow from what is now durable.
    for (const [reason, endpoints] of failingTooLong) await this.disabler.disable(endpoints, reason);
  }

  /** Writes the batch in one transaction; returns the endpoints that have now failed for too long. */
  private async writeBatch(records: readonly AttemptRecord[]): Promise<Map<string, Array<{ id: string; applicationId: string }>>> {
    // One status row per pair in a batch: the latest attempt decides it.
    const latest = new Map<string, AttemptRecord>();
    for (const record of records) {
      const key = `${record.attempt.messageId}:${record.attempt.endpointId}`;
      const seen = latest.get(key);
      if (!seen || seen.attempt.attemptNumber <= record.attempt.attemptNumber) latest.set(key, record);
    }
    const attempts = records.map((record) => record.attempt);
    const statuses = [...latest.values()];
    return this.dataSource.transaction(async (manager) => {
      await manager.query(INSERT_ATTEMPTS, [
        attempts.map((a) => a.id),
        attempts.map((a) => a.messageId),
        attempts.map((a) => a.endpointId),
        attempts.map((a) => a.applicationId),
        attempts.map((a) => a.attemptNumber),
        attempts.map((a) => a.url),
        attempts.map((a) => a.succeeded),
        attempts.map((a) => a.responseStatusCode),
        attempts.map((a) => a.responseDurationMs),
        attempts.map((a) => withoutNul(a.responseExcerpt)),
        attempts.map((a) => (a.error === null ? null : withoutNul(a.error))),
        attempts.map((a) => a.trigger),
        attempts.map((a) => a.createdAt),
      ]);
      await manager.query(UPSERT_STATUSES, [
        statuses.map((r) => r.attempt.messageId),
        statuses.map((r) => r.attempt.endpointId),
        statuses.map((r) => r.attempt.applicationId),
        statuses.map((r) => r.status),
        statuses.map((r) => r.attempt.attemptNumber),
        statuses.map((r) => r.attempt.createdAt),
        statuses.map((r) => r.nextAttemptAt),
      ]);
      return this.trackFailing(manager, attempts);
    });
  }

  /**
   * Keeps each endpoint's failing_since: set at its first failure, cleared by a success. The
   * endpoints failing since longer than HOOKLINE_ENDPOINT_DISABLE_AFTER are returned.
   */
  private async trackFailing(manager: EntityManager, attempts: ReadonlyArray<AttemptRecord['attempt']>): Promise<Map<string, Array<{ id: string; applicationId: string }>>> {
    const latest = new Map<string, AttemptRecord['attempt']>();
    for (const attempt of attempts) {
      const seen = latest.get(attempt.endpointId);
      if (!seen || seen.createdAt <= attempt.createdAt) latest.set(attempt.endpointId, attempt);
    }
    const last = [...latest.values()];
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    const [rows] = (await manager.query(TRACK_FAILING, [last.map((a) => a.endpointId), last.map((a) => a.succeeded), last.map((a) => a.createdAt)])) as [
      Array<{ id: string; application_id: string; failing_since: Date | null; disabled: boolean }>,
      number,
    ];
    const cutoff = Date.now() - this.config.delivery.disableEndpointAfterMs;
    const expired = rows
      .filter((row) => !row.disabled && row.failing_since !== null && new Date(row.failing_since).getTime() <= cutoff)
      .map((row) => ({ id: row.id, applicationId: row.application_id }));
    const reason = `the endpoint failed every attempt for ${Math.round(this.config.delivery.disableEndpointAfterMs / 3_600_000)} h`;
    return new Map(expired.length > 0 ? [[reason, expired]] : []);
  }
}
