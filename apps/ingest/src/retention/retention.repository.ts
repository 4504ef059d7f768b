import type { DeletionKind } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * One range of message ids: a partition of messages, message_endpoints and attempts each (a
 * triple), for the messages created in [from, to). `lo` and `hi` are its bounds as ids.
 */
export interface MessageRange {
  suffix: string;
  from: Date;
  to: Date;
  lo: string;
  hi: string;
}

/** A deleted application or endpoint whose rows the sweep still has to remove. */
export interface PendingDeletion {
  kind: DeletionKind;
  targetId: string;
  requestedAt: Date;
}

// The range partitions of messages (the DEFAULT one has no bounds and is left out), oldest first.
const RANGES = `
  SELECT substr(c.relname, length('messages_') + 1) AS suffix, b.bound[1] AS lo, b.bound[2] AS hi,
         hookline_uuid_time(b.bound[1]::uuid) AS "from", hookline_uuid_time(b.bound[2]::uuid) AS "to"
  FROM pg_inherits i
  JOIN pg_class c ON c.oid = i.inhrelid
  CROSS JOIN LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([0-9a-f-]+)''\\) TO \\(''([0-9a-f-]+)''\\)') AS bound) b
  WHERE i.inhparent = 'messages'::regclass AND b.bound IS NOT NULL
  ORDER BY b.bound[1]`;

const LATEST_IN_DEFAULT = `
  SELECT hookline_uuid_time(id) AS at FROM messages_default
  WHERE id >= hookline_uuid_floor($1) AND id < hookline_uuid_floor($2) ORDER BY id DESC LIMIT 1`;

// Whether a range still holds work under way: a message not yet on the events topic (outbox), or
// a delivery pending or with a retry scheduled, last changed after $3. The bounds keep each search
// to the range's own partitions, and message_endpoints_open makes the second an index lookup.
const HAS_OPEN_WORK = `
  SELECT EXISTS (SELECT 1 FROM message_outbox WHERE message_id >= $1::uuid AND message_id < $2::uuid)
      OR EXISTS (SELECT 1 FROM message_endpoints
                 WHERE message_id >= $1::uuid AND message_id < $2::uuid
                   AND (status = 'pending' OR next_attempt_at IS NOT NULL) AND updated_at > $3) AS open`;

/** A DELETE that answers how many rows it removed. */
const counting = (statement: string) => `WITH gone AS (${statement} RETURNING 1) SELECT count(*)::int AS deleted FROM gone`;

// Rows of the DEFAULT partitions (ids outside every range) past retention and not under way.
const EXPIRE_DEFAULT = counting(`
  DELETE FROM messages_default WHERE id = ANY(ARRAY(
    SELECT m.id FROM messages_default m
    WHERE m.created_at < $1
      AND NOT EXISTS (SELECT 1 FROM message_outbox o WHERE o.message_id = m.id)
      AND NOT EXISTS (SELECT 1 FROM message_endpoints_default s
                      WHERE s.message_id = m.id AND (s.status = 'pending' OR s.next_attempt_at IS NOT NULL) AND s.updated_at > $2)
    LIMIT $3))`);

const EXPIRE_IDEMPOTENCY_KEYS = counting(`
  DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(SELECT ctid FROM idempotency_keys WHERE created_at < $1 LIMIT $2))`);

// What belongs to a deleted application or endpoint, a batch at a time within one range. An
// application's messages take their statuses and attempts with them (foreign keys ON DELETE
// CASCADE, partition to partition), and their outbox rows; an endpoint's statuses and attempts go
// on their own.
const DELETE_OF: Record<DeletionKind, string[]> = {
  application: [
    `WITH gone AS (
       DELETE FROM messages WHERE id >= $1::uuid AND id < $2::uuid AND id = ANY(ARRAY(
         SELECT id FROM messages WHERE id >= $1::uuid AND id < $2::uuid AND application_id = $3 LIMIT $4))
       RETURNING id
     ), unqueued AS (DELETE FROM message_outbox WHERE message_id IN (SELECT id FROM gone))
     SELECT count(*)::int AS deleted FROM gone`,
  ],
  endpoint: [
    counting(`DELETE FROM message_endpoints WHERE message_id >= $1::uuid AND message_id < $2::uuid AND endpoint_id = $3 AND message_id = ANY(ARRAY(
       SELECT message_id FROM message_endpoints WHERE message_id >= $1::uuid AND message_id < $2::uuid AND endpoint_id = $3 LIMIT $4))`),
    counting(`DELETE FROM attempts WHERE message_id >= $1::uuid AND message_id < $2::uuid AND endpoint_id = $3 AND id = ANY(ARRAY(
       SELECT id FROM attempts WHERE message_id >= $1::uuid AND message_id < $2::uuid AND endpoint_id = $3 LIMIT $4))`),
  ],
};

// The same within the DEFAULT partitions.
const DELETE_OF_DEFAULT: Record<DeletionKind, string[]> = {
  application: [
    `WITH gone AS (DELETE FROM messages_default WHERE id = ANY(ARRAY(SELECT id FROM messages_default WHERE application_id = $1 LIMIT $2)) RETURNING id),
     unqueued AS (DELETE FROM message_outbox WHERE message_id IN (SELECT id FROM gone))
     SELECT count(*)::int AS deleted FROM gone`,
  ],
  endpoint: [
    counting(`DELETE FROM message_endpoints_default WHERE endpoint_id = $1 AND message_id = ANY(ARRAY(SELECT message_id FROM message_endpoints_default WHERE endpoint_id = $1 LIMIT $2))`),
    counting(`DELETE FROM attempts_default WHERE ctid = ANY(ARRAY(SELECT ctid FROM attempts_default WHERE endpoint_id = $1 LIMIT $2))`),
  ],
};

/**
 * The retention sweep's statements: the partitions of messages, message_endpoints and attempts
 * (created and dropped as triples by the functions of migration PartitionedMessages), expired
 * idempotency keys, and the rows of deleted applications and endpoints.
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async ranges(): Promise<MessageRange[]> {
    const rows = (await this.dataSource.query(RANGES)) as Array<{ suffix: string; lo: string; hi: string; from: Date; to: Date }>;
    return rows.map((row) => ({ suffix: row.suffix, lo: row.lo, hi: row.hi, from: new Date(row.from), to: new Date(row.to) }));
  }

  /** Creates the triple of [from, to); answers its suffix. */
  async createRange(from: Date, to: Date, lockTimeoutMs: number): Promise<string> {
    return this.withLockTimeout(lockTimeoutMs, async (query) => ((await query('SELECT hookline_create_message_partitions($1, $2) AS suffix', [from, to])) as Array<{ suffix: string }>)[0]!.suffix);
  }

  /** When the latest message of [from, to) in the DEFAULT partition was created (its id's time), if there is one. */
  async latestInDefault(from: Date, to: Date): Promise<Date | null> {
    const rows = (await this.dataSource.query(LATEST_IN_DEFAULT, [from, to])) as Array<{ at: Date }>;
    return rows.length > 0 ? new Date(rows[0]!.at) : null;
  }

  async hasOpenWork(range: MessageRange, changedSince: Date): Promise<boolean> {
    return ((await this.dataSource.query(HAS_OPEN_WORK, [range.lo, range.hi, changedSince])) as Array<{ open: boolean }>)[0]!.open;
  }

  /** Drops the triple, waiting at most `lockTimeoutMs` for the tables' locks (PostgreSQL's 55P03 otherwise). */
  async dropRange(range: MessageRange, lockTimeoutMs: number): Promise<void> {
    await this.withLockTimeout(lockTimeoutMs, (query) => query('SELECT hookline_drop_message_partitions($1)', [range.suffix]));
  }

  /** Deletes up to `limit` messages of the DEFAULT partition created before `cutoff`; answers how many. */
  async expireDefault(cutoff: Date, changedSince: Date, limit: number): Promise<number> {
    return this.affected(EXPIRE_DEFAULT, [cutoff, changedSince, limit]);
  }

  async expireIdempotencyKeys(cutoff: Date, limit: number): Promise<number> {
    return this.affected(EXPIRE_IDEMPOTENCY_KEYS, [cutoff, limit]);
  }

  async pendingDeletions(): Promise<PendingDeletion[]> {
    const rows = (await this.dataSource.query('SELECT kind, target_id, requested_at FROM pending_deletions ORDER BY requested_at')) as Array<{ kind: DeletionKind; target_id: string; requested_at: Date }>;
    return rows.map((row) => ({ kind: row.kind, targetId: row.target_id, requestedAt: new Date(row.requested_at) }));
  }

  /** Deletes up to `limit` rows (per table) of what the deletion leaves in the range, or in the DEFAULT partitions (null); answers how many. */
  async deleteBatch(deletion: PendingDeletion, range: MessageRange | null, limit: number): Promise<number> {
    let deleted = 0;
    for (const statement of range ? DELETE_OF[deletion.kind] : DELETE_OF_DEFAULT[deletion.kind]) {
      deleted += await this.affected(statement, range ? [range.lo, range.hi, deletion.targetId, limit] : [deletion.targetId, limit]);
    }
    return deleted;
  }

  async finishDeletion(deletion: PendingDeletion): Promise<void> {
    await this.dataSource.query('DELETE FROM pending_deletions WHERE kind = $1 AND target_id = $2', [deletion.kind, deletion.targetId]);
  }

  /** Holds PostgreSQL advisory lock `key` on a connection of its own while `work` runs; null without running it when another session holds it. */
  async exclusively<T>(key: number, work: () => Promise<T>): Promise<T | null> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [key])) as [{ locked: boolean }];
      if (!locked) return null;
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [key]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Runs a statement that answers how many rows it deleted (`deleted`). */
  private async affected(statement: string, parameters: unknown[]): Promise<number> {
    return ((await this.dataSource.query(statement, parameters)) as Array<{ deleted: number }>)[0]!.deleted;
  }

  /** Runs DDL in a transaction that gives up on a lock after `ms`, rather than queue the pipeline's statements behind its wait. */
  private withLockTimeout<T>(ms: number, work: (query: (sql: string, parameters: unknown[]) => Promise<unknown>) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(ms))}`);
      return work((sql, parameters) => manager.query(sql, parameters));
    });
  }
}
