import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Attempts by outcome. */
export interface AttemptCounts {
  success: number;
  fail: number;
}

/** Where an endpoint's deliveries stand now: waiting for an attempt (first or retry), dead-lettered. */
export interface DeliveryCounts {
  waiting: number;
  dead: number;
}

/** One bucket of the overview: attempts by outcome started in it, deliveries dead-lettered in it. */
export interface OverviewBucket {
  start: Date;
  delivered: number;
  failed: number;
  dead: number;
}

// Attempts are counted from the attempts table over [since, until), through indexes on the time
// (and endpoint or application) that carry `succeeded`, so that no row is read (migration
// StatsIndexes1796414522709; docs/performance.md has the plans and timings).
// By the application's index, which carries endpoint_id and succeeded: reading the application's
// entries of the range beats fetching the endpoint's rows from the table.
const ENDPOINT_ATTEMPTS = `
  SELECT count(*) FILTER (WHERE succeeded) AS success, count(*) FILTER (WHERE NOT succeeded) AS fail
  FROM attempts WHERE application_id = $1 AND endpoint_id = $2 AND created_at >= $3 AND created_at < $4`;

const APPLICATION_ATTEMPTS = `
  SELECT endpoint_id, count(*) FILTER (WHERE succeeded) AS success, count(*) FILTER (WHERE NOT succeeded) AS fail
  FROM attempts WHERE application_id = $1 AND created_at >= $2 AND created_at < $3
  GROUP BY endpoint_id`;

// A delivery waits while pending, or failed with a retry due (a 410 Gone leaves it failed with none).
// Through message_endpoints' (endpoint_id, status) index: only the unfinished and dead rows are read.
const DELIVERIES = `
  SELECT endpoint_id,
         count(*) FILTER (WHERE status = 'pending' OR (status = 'failed' AND next_attempt_at IS NOT NULL)) AS waiting,
         count(*) FILTER (WHERE status = 'dead') AS dead
  FROM message_endpoints WHERE endpoint_id = ANY($1::uuid[]) AND status IN ('pending', 'failed', 'dead')
  GROUP BY endpoint_id`;

// Of the installation, or of one application ($4) through its index.
const attemptBuckets = (scope: '' | 'application_id = $4 AND') => `
  SELECT date_bin($3::interval, created_at, $1) AS start, count(*) FILTER (WHERE succeeded) AS delivered, count(*) FILTER (WHERE NOT succeeded) AS failed
  FROM attempts WHERE ${scope} created_at >= $1 AND created_at < $2
  GROUP BY 1`;
const ATTEMPT_BUCKETS = attemptBuckets('');
const APPLICATION_ATTEMPT_BUCKETS = attemptBuckets('application_id = $4 AND');

// A dead delivery's last_attempt_at is when it died (or was dead-lettered, if never attempted).
const DEAD_BUCKETS = `
  SELECT date_bin($3::interval, last_attempt_at, $1) AS start, count(*) AS dead
  FROM message_endpoints WHERE status = 'dead' AND last_attempt_at >= $1 AND last_attempt_at < $2
  GROUP BY 1`;

const DEAD_LETTERS = `SELECT count(*) AS dead FROM message_endpoints WHERE status = 'dead'`;

// The endpoint's latest attempts, newest first (ids are time-ordered), through the (endpoint_id, id) index.
const LATEST_OUTCOMES = `SELECT succeeded, created_at FROM attempts WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2`;

type Counted<K extends string> = Record<K, string>;
const interval = (bucketMs: number) => `${bucketMs / 1000} seconds`;
const count = (text: string | undefined) => Number(text ?? 0);

/** What the services already record, counted: attempts by outcome and time, deliveries by state. */
@Injectable()
export class StatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async endpointAttempts(endpoint: { id: string; applicationId: string }, since: Date, until: Date): Promise<AttemptCounts> {
    const [row] = (await this.dataSource.query(ENDPOINT_ATTEMPTS, [endpoint.applicationId, endpoint.id, since, until])) as Array<Counted<'success' | 'fail'>>;
    return { success: count(row?.success), fail: count(row?.fail) };
  }

  /** The endpoint's last `limit` attempts, newest first: whether each succeeded, and when it was made. */
  async latestOutcomes(endpointId: string, limit: number): Promise<Array<{ succeeded: boolean; at: Date }>> {
    const rows = (await this.dataSource.query(LATEST_OUTCOMES, [endpointId, limit])) as Array<{ succeeded: boolean; created_at: Date }>;
    return rows.map((row) => ({ succeeded: row.succeeded, at: new Date(row.created_at) }));
  }

  /** The application's attempts by outcome, per endpoint that made any. */
  async applicationAttempts(applicationId: string, since: Date, until: Date): Promise<Map<string, AttemptCounts>> {
    const rows = (await this.dataSource.query(APPLICATION_ATTEMPTS, [applicationId, since, until])) as Array<Counted<'success' | 'fail'> & { endpoint_id: string }>;
    return new Map(rows.map((row) => [row.endpoint_id, { success: count(row.success), fail: count(row.fail) }]));
  }

  /** The deliveries of these endpoints waiting and dead now, per endpoint that has any. */
  async deliveries(endpointIds: readonly string[]): Promise<Map<string, DeliveryCounts>> {
    if (endpointIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(DELIVERIES, [endpointIds])) as Array<Counted<'waiting' | 'dead'> & { endpoint_id: string }>;
    return new Map(rows.map((row) => [row.endpoint_id, { waiting: count(row.waiting), dead: count(row.dead) }]));
  }

  /** Every bucket of `bucketMs` from `since` to `until` (empty ones too), with what happened in it across the installation. */
  async overview(since: Date, until: Date, bucketMs: number): Promise<OverviewBucket[]> {
    const [attempts, dead] = await Promise.all([
      this.attemptBuckets(since, until, bucketMs),
      this.dataSource.query(DEAD_BUCKETS, [since, until, interval(bucketMs)]) as Promise<Array<Counted<'dead'> & { start: Date }>>,
    ]);
    const byStart = new Map(attempts.map((bucket) => [bucket.start.getTime(), { ...bucket, dead: 0 }]));
    for (const row of dead) byStart.get(new Date(row.start).getTime())!.dead = count(row.dead);
    return [...byStart.values()];
  }

  /** Attempts by outcome in each bucket of [since, until), every bucket empty or not: the installation's, or one application's. */
  async attemptBuckets(since: Date, until: Date, bucketMs: number, applicationId?: string): Promise<Array<Omit<OverviewBucket, 'dead'>>> {
    const rows = (await (applicationId === undefined
      ? this.dataSource.query(ATTEMPT_BUCKETS, [since, until, interval(bucketMs)])
      : this.dataSource.query(APPLICATION_ATTEMPT_BUCKETS, [since, until, interval(bucketMs), applicationId]))) as Array<Counted<'delivered' | 'failed'> & { start: Date }>;
    const byStart = new Map<number, Omit<OverviewBucket, 'dead'>>();
    for (let start = since.getTime(); start < until.getTime(); start += bucketMs) byStart.set(start, { start: new Date(start), delivered: 0, failed: 0 });
    for (const row of rows) Object.assign(byStart.get(new Date(row.start).getTime())!, { delivered: count(row.delivered), failed: count(row.failed) });
    return [...byStart.values()];
  }

  /** Deliveries dead-lettered and not replayed since, across the installation. */
  async deadLetters(): Promise<number> {
    const [row] = (await this.dataSource.query(DEAD_LETTERS)) as Array<Counted<'dead'>>;
    return count(row?.dead);
  }
}
