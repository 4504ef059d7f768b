import { Attempt, type AttemptTrigger, type DeliveryStatus } from '@hookline/database';
import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
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
const LINGER_MS = 10;

/**
 * Writes attempts, the message-endpoint status they lead to, and whether each endpoint is failing
 * in batches: one transaction per
 * batch instead of two statements per delivery. record() resolves once its batch is committed,
 * so the consumer commits the Kafka offset only after the outcome is durable.
 */
@Injectable()
export class AttemptRecorder implements OnApplicationShutdown {
  private queue: Array<{ record: AttemptRecord; done: (error?: unknown) => void }> = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(HOOKLINE_CONFIG) private readonly config: HooklineConfig,
    private readonly disabler: EndpointDisabler,
  ) {}

  record(record: AttemptRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, done: (error) => (error ? reject(error) : resolve()) });
      if (this.queue.length >= MAX_BATCH) this.flushSoon(0);
      else this.flushSoon(LINGER_MS);
    });
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      // One batch at a time: a status update must not race an older one for the same pair.
      this.flushing = this.flushing.then(() => this.flush());
    }, delayMs);
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_BATCH);
    if (this.queue.length > 0) this.flushSoon(0);
    if (batch.length === 0) return;
    try {
      await this.write(batch.map((entry) => entry.record));
      for (const entry of batch) entry.done();
    } catch (error) {
      for (const entry of batch) entry.done(error);
    }
  }

  private async write(records: AttemptRecord[]): Promise<void> {
    const failingTooLong = await this.writeBatch(records);
    // After the commit: the disable and its operational event follow from what is now durable.
    for (const [reason, endpoints] of failingTooLong) await this.disabler.disable(endpoints, reason);
  }

  /** Writes the batch in one transaction; returns the endpoints that have now failed for too long. */
  private async writeBatch(records: AttemptRecord[]): Promise<Map<string, Array<{ id: string; applicationId: string }>>> {
    // One status row per pair in a batch: the latest attempt decides it.
    const latest = new Map<string, AttemptRecord>();
    for (const record of records) {
      const key = `${record.attempt.messageId}:${record.attempt.endpointId}`;
      const seen = latest.get(key);
      if (!seen || seen.attempt.attemptNumber <= record.attempt.attemptNumber) latest.set(key, record);
    }
    return this.dataSource.transaction(async (manager) => {
      await manager.insert(Attempt, records.map((record) => record.attempt));
      const rows = [...latest.values()];
      const params: unknown[] = [];
      const values = rows.map((row) => {
        params.push(row.attempt.messageId, row.attempt.endpointId, row.attempt.applicationId, row.status, row.attempt.attemptNumber, row.attempt.createdAt, row.nextAttemptAt);
        const n = params.length;
        return `($${n - 6}::uuid, $${n - 5}::uuid, $${n - 4}::uuid, $${n - 3}::delivery_status, $${n - 2}::int, $${n - 1}::timestamptz, $${n}::timestamptz)`;
      });
      // A success is final: a late duplicate of an earlier failed attempt never overwrites it.
      await manager.query(
        `INSERT INTO message_endpoints (message_id, endpoint_id, application_id, status, attempt_count, last_attempt_at, next_attempt_at)
         VALUES ${values.join(', ')}
         ON CONFLICT (message_id, endpoint_id) DO UPDATE SET
           status = CASE WHEN message_endpoints.status = 'succeeded' THEN message_endpoints.status ELSE EXCLUDED.status END,
           attempt_count = GREATEST(message_endpoints.attempt_count, EXCLUDED.attempt_count),
           last_attempt_at = EXCLUDED.last_attempt_at,
           next_attempt_at = CASE WHEN message_endpoints.status = 'succeeded' THEN NULL ELSE EXCLUDED.next_attempt_at END,
           updated_at = now()`,
        params,
      );
      return this.trackFailing(manager, records);
    });
  }

  /**
   * Keeps each endpoint's failing_since: set at its first failure, cleared by a success. The
   * endpoints failing since longer than HOOKLINE_ENDPOINT_DISABLE_AFTER are returned.
   */
  private async trackFailing(manager: EntityManager, records: AttemptRecord[]): Promise<Map<string, Array<{ id: string; applicationId: string }>>> {
    const latest = new Map<string, AttemptRecord['attempt']>();
    for (const { attempt } of records) {
      const seen = latest.get(attempt.endpointId);
      if (!seen || seen.createdAt <= attempt.createdAt) latest.set(attempt.endpointId, attempt);
    }
    const params: unknown[] = [];
    const values = [...latest.values()].map((attempt) => {
      params.push(attempt.endpointId, attempt.succeeded, attempt.createdAt);
      return `($${params.length - 2}::uuid, $${params.length - 1}::boolean, $${params.length}::timestamptz)`;
    });
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    const [rows] = (await manager.query(
      `UPDATE endpoints AS e
         SET failing_since = CASE WHEN v.ok THEN NULL ELSE COALESCE(e.failing_since, v.at) END
       FROM (VALUES ${values.join(', ')}) AS v(id, ok, at)
       WHERE e.id = v.id AND (NOT v.ok OR e.failing_since IS NOT NULL)
       RETURNING e.id, e.application_id, e.failing_since, e.disabled`,
      params,
    )) as [Array<{ id: string; application_id: string; failing_since: Date | null; disabled: boolean }>, number];
    const cutoff = Date.now() - this.config.delivery.disableEndpointAfterMs;
    const expired = rows
      .filter((row) => !row.disabled && row.failing_since !== null && new Date(row.failing_since).getTime() <= cutoff)
      .map((row) => ({ id: row.id, applicationId: row.application_id }));
    const reason = `the endpoint failed every attempt for ${Math.round(this.config.delivery.disableEndpointAfterMs / 3_600_000)} h`;
    return new Map(expired.length > 0 ? [[reason, expired]] : []);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    await this.flush();
  }
}
