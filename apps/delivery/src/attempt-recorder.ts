import { Attempt, type AttemptTrigger, type DeliveryStatus } from '@hookline/database';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

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
 * Writes attempts and the message-endpoint status they lead to in batches: one transaction per
 * batch instead of two statements per delivery. record() resolves once its batch is committed,
 * so the consumer commits the Kafka offset only after the outcome is durable.
 */
@Injectable()
export class AttemptRecorder implements OnApplicationShutdown {
  private queue: Array<{ record: AttemptRecord; done: (error?: unknown) => void }> = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

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
    // One status row per pair in a batch: the latest attempt decides it.
    const latest = new Map<string, AttemptRecord>();
    for (const record of records) {
      const key = `${record.attempt.messageId}:${record.attempt.endpointId}`;
      const seen = latest.get(key);
      if (!seen || seen.attempt.attemptNumber <= record.attempt.attemptNumber) latest.set(key, record);
    }
    await this.dataSource.transaction(async (manager) => {
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
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    await this.flush();
  }
}
