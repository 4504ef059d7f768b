import { loadConfig } from '@hookline/config';
import { dataSourceOptions } from '@hookline/database';
import { createLogger } from '@hookline/logging';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { RetentionRepository } from '../../apps/ingest/src/retention/retention.repository.js';
import { RetentionService } from '../../apps/ingest/src/retention/retention.service.js';
import { isolatedDatabase, migrate, requireStack } from '../support/env.js';

// The retention sweep against the real PostgreSQL, on a database of its own (it drops partitions).
// The sweep is given its clock: a run "four days later" sees today's messages past a two-day
// retention, without waiting days. Rows are written as the services write them.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('the retention sweep', () => {
  let database: Awaited<ReturnType<typeof isolatedDatabase>>;
  let dataSource: DataSource;
  let repository: RetentionRepository;
  let sweep: RetentionService;
  const t0 = Date.now();

  beforeAll(async () => {
    database = await isolatedDatabase('retention');
    await migrate(database.url);
    dataSource = await new DataSource(dataSourceOptions(database.url, { poolSize: 4 })).initialize();
    repository = new RetentionRepository(dataSource);
    const config = loadConfig('fanout', {
      KAFKA_BROKERS: requireStack().brokers.join(','),
      DATABASE_URL: database.url,
      HOOKLINE_RETENTION: '2d',
      HOOKLINE_DEAD_LETTER_AFTER: '1h',
      HOOKLINE_RETRY_SCHEDULE: '1s,2s',
    });
    sweep = new RetentionService(config, repository, createLogger('test-retention', 'error'));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const query = <T = Record<string, unknown>>(sql: string, parameters: unknown[] = []) => dataSource.query(sql, parameters) as Promise<T[]>;

  async function application(): Promise<string> {
    const id = uuidv7();
    await query(`INSERT INTO applications (id, name) VALUES ($1, 'retention')`, [id]);
    return id;
  }

  async function endpoint(applicationId: string): Promise<string> {
    const id = uuidv7();
    await query(`INSERT INTO endpoints (id, application_id, url, secret_ciphertext, secret_key_id) VALUES ($1, $2, 'https://example.com/hook', 'x', 'k1')`, [id, applicationId]);
    return id;
  }

  /** A message created at `at` (its UUIDv7 id says so too), or with the given id. */
  async function message(applicationId: string, at: number, id = uuidv7({ msecs: at })): Promise<string> {
    await query(`INSERT INTO messages (id, application_id, event_type, payload, created_at) VALUES ($1, $2, 'a.b', '{"secret": 1}', $3)`, [id, applicationId, new Date(at)]);
    return id;
  }

  /** The message's status with the endpoint, and an attempt, as delivery records them. */
  async function delivery(messageId: string, endpointId: string, applicationId: string, state: { status: string; nextAttemptAt?: number; updatedAt: number }) {
    await query(
      `INSERT INTO message_endpoints (message_id, endpoint_id, application_id, status, attempt_count, next_attempt_at, last_attempt_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $6)`,
      [messageId, endpointId, applicationId, state.status, state.nextAttemptAt ? new Date(state.nextAttemptAt) : null, new Date(state.updatedAt)],
    );
    await query(
      `INSERT INTO attempts (id, message_id, endpoint_id, application_id, attempt_number, url, succeeded, response_status_code, response_duration_ms, response_excerpt, created_at)
       VALUES ($1, $2, $3, $4, 1, 'https://example.com/hook', $5, 200, 3, 'ok', $6)`,
      [uuidv7({ msecs: state.updatedAt }), messageId, endpointId, applicationId, state.status === 'succeeded', new Date(state.updatedAt)],
    );
  }

  async function rowsOf(messageIds: string[]): Promise<Record<string, number>> {
    const [counts] = await query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM messages WHERE id = ANY($1::uuid[])) AS messages,
              (SELECT count(*)::int FROM message_endpoints WHERE message_id = ANY($1::uuid[])) AS statuses,
              (SELECT count(*)::int FROM attempts WHERE message_id = ANY($1::uuid[])) AS attempts`,
      [messageIds],
    );
    return counts!;
  }

  const exists = async (id: string) => (await rowsOf([id])).messages === 1;
  const partitionExists = async (name: string) => (await query(`SELECT 1 FROM pg_class WHERE relname = $1`, [name])).length === 1;
  const dayOf = (at: number) => `p${new Date(Math.floor(at / DAY) * DAY).toISOString().slice(0, 10).replaceAll('-', '')}t000000`;

  it('removes what deleted applications and endpoints leave, in the next runs, and only that', async () => {
    const app = await application();
    const [kept, gone] = [await endpoint(app), await endpoint(app)];
    const deletedApp = await application();
    const deletedAppEndpoint = await endpoint(deletedApp);
    const [m1, m2] = [await message(app, t0), await message(app, t0 + 1)];
    const m3 = await message(deletedApp, t0);
    for (const id of [m1, m2]) {
      await delivery(id, kept, app, { status: 'succeeded', updatedAt: t0 });
      await delivery(id, gone, app, { status: 'succeeded', updatedAt: t0 });
    }
    await delivery(m3, deletedAppEndpoint, deletedApp, { status: 'succeeded', updatedAt: t0 });
    await query(`INSERT INTO message_outbox (message_id, created_at) VALUES ($1, now())`, [m3]);
    // As the API deletes them (EndpointsRepository, ApplicationsRepository).
    await query(`DELETE FROM endpoints WHERE id = $1`, [gone]);
    await query(`DELETE FROM applications WHERE id = $1`, [deletedApp]);
    await query(`INSERT INTO pending_deletions (kind, target_id, requested_at) VALUES ('endpoint', $1, $3), ('application', $2, $3)`, [gone, deletedApp, new Date(t0)]);

    const first = await sweep.sweep(new Date(t0 + 2 * 60_000));
    expect(first.deletedRows).toBe(4 + 1);
    expect(await rowsOf([m1, m2])).toEqual({ messages: 2, statuses: 2, attempts: 2 });
    expect(await query(`SELECT DISTINCT endpoint_id FROM attempts WHERE message_id = ANY($1::uuid[])`, [[m1, m2]])).toEqual([{ endpoint_id: kept }]);
    expect(await rowsOf([m3])).toEqual({ messages: 0, statuses: 0, attempts: 0 });
    expect(await query(`SELECT * FROM message_outbox WHERE message_id = $1`, [m3])).toEqual([]);
    // Nothing was left to find in this pass: the next one forgets the deletions.
    expect(first.finishedDeletions).toBe(0);
    expect((await sweep.sweep(new Date(t0 + 2 * 60_000))).finishedDeletions).toBe(2);
    expect(await query(`SELECT * FROM pending_deletions`)).toEqual([]);

    // A deletion asked for a moment ago stays until a write that saw its row just before is surely over.
    const fresh = await endpoint(app);
    await query(`DELETE FROM endpoints WHERE id = $1`, [fresh]);
    await query(`INSERT INTO pending_deletions (kind, target_id, requested_at) VALUES ('endpoint', $1, $2)`, [fresh, new Date(t0)]);
    expect((await sweep.sweep(new Date(t0 + 10_000))).finishedDeletions).toBe(0);
    expect(await query(`SELECT kind FROM pending_deletions`)).toEqual([{ kind: 'endpoint' }]);
  });

  it('drops the partitions past retention on the next run, keeping those with work under way until it is done', async () => {
    const later = t0 + 4 * DAY; // the sweep's clock: a 2-day retention ends at t0 + 2 days
    const app = await application();
    const target = await endpoint(app);
    // Today's partition: one delivery done, one whose retry is scheduled within its window.
    const done = await message(app, t0);
    await delivery(done, target, app, { status: 'succeeded', updatedAt: t0 });
    const retrying = await message(app, t0 + 10);
    await delivery(retrying, target, app, { status: 'failed', nextAttemptAt: later + 60_000, updatedAt: later - 10 * 60_000 });
    // Tomorrow's: done, past retention too, nothing to wait for.
    const tomorrow = await message(app, t0 + DAY);
    await delivery(tomorrow, target, app, { status: 'succeeded', updatedAt: t0 + DAY });
    // Within retention.
    const recent = await message(app, t0 + 3 * DAY);
    // The partition of everything before today: a message still in the outbox (Kafka was away),
    // and one pending so long ago (its endpoint was disabled) that it waits for nothing.
    const unsent = await message(app, t0 - 2 * DAY);
    await query(`INSERT INTO message_outbox (message_id, created_at) VALUES ($1, $2)`, [unsent, new Date(t0 - 2 * DAY)]);
    const stale = await message(app, t0 - 2 * DAY + 5);
    await delivery(stale, target, app, { status: 'pending', updatedAt: t0 - 2 * DAY });

    // Every range wholly past retention goes but the two with work under way: tomorrow's
    // message's, and those the sweep made ahead (from where the migration's end, at ingest's start).
    const tomorrowsRange = (await query<{ partition: string }>(`SELECT tableoid::regclass::text AS partition FROM messages WHERE id = $1`, [tomorrow]))[0]!.partition.slice('messages_'.length);
    const past = (await repository.ranges()).filter((range) => range.to.getTime() <= later - 2 * DAY).map((range) => range.suffix);
    const first = await sweep.sweep(new Date(later));
    expect(first.dropped).toContain(tomorrowsRange);
    expect(first.dropped).toEqual(past.filter((suffix) => !['p19700101t000000', dayOf(t0)].includes(suffix)));
    expect(first.kept).toEqual(['p19700101t000000', dayOf(t0)]);
    expect(first.busy).toEqual([]);
    expect(await rowsOf([tomorrow])).toEqual({ messages: 0, statuses: 0, attempts: 0 });
    expect(await partitionExists(`attempts_${dayOf(t0 + DAY)}`)).toBe(false);
    for (const id of [done, retrying, recent, unsent, stale]) expect(await exists(id)).toBe(true);
    // Ranges of 12 hours (a quarter of the retention) now reach 36 hours past the sweep's clock.
    expect(first.created.length).toBeGreaterThan(0);
    const ends = await repository.ranges();
    expect(Math.max(...ends.map((range) => range.to.getTime()))).toBeGreaterThanOrEqual(later + 36 * HOUR);
    expect(ends.at(-1)!.to.getTime() - ends.at(-1)!.from.getTime()).toBe(12 * HOUR);

    // The retry succeeds and the outbox row is emitted: the next run drops both partitions.
    await query(`UPDATE message_endpoints SET status = 'succeeded', next_attempt_at = NULL, updated_at = $2 WHERE message_id = $1`, [retrying, new Date(later)]);
    await query(`DELETE FROM message_outbox WHERE message_id = $1`, [unsent]);
    const second = await sweep.sweep(new Date(later));
    expect(second.dropped).toEqual(['p19700101t000000', dayOf(t0)]);
    expect(await rowsOf([done, retrying, unsent, stale])).toEqual({ messages: 0, statuses: 0, attempts: 0 });
    expect(await exists(recent)).toBe(true);
  });

  it('deletes past retention what lies outside every range (the DEFAULT partition), unless still under way', async () => {
    const later = t0 + 4 * DAY;
    const app = await application();
    const target = await endpoint(app);
    // Ids that are not UUIDv7 (written by hand) fall in no range.
    const old = await message(app, t0, 'ffffffff-0000-4000-8000-000000000001');
    const busy = await message(app, t0, 'ffffffff-0000-4000-8000-000000000002');
    await delivery(busy, target, app, { status: 'pending', updatedAt: later - 60_000 });
    const young = await message(app, t0 + 3 * DAY, 'ffffffff-0000-4000-8000-000000000003');
    expect(await query(`SELECT tableoid::regclass::text AS partition FROM messages WHERE id = $1`, [old])).toEqual([{ partition: 'messages_default' }]);

    expect((await sweep.sweep(new Date(later))).expiredDefaultMessages).toBe(1);
    expect([await exists(old), await exists(busy), await exists(young)]).toEqual([false, true, true]);
  });

  it('deletes idempotency keys older than their TTL (24 hours)', async () => {
    const later = t0 + 4 * DAY;
    await query(
      `INSERT INTO idempotency_keys (scope, key, route, status_code, response_body, created_at) VALUES ('admin', 'old', 'POST /x', 202, '{}', $1), ('admin', 'young', 'POST /x', 202, '{}', $2)`,
      [new Date(later - 25 * HOUR), new Date(later - HOUR)],
    );
    expect((await sweep.sweep(new Date(later))).expiredIdempotencyKeys).toBe(1);
    expect(await query(`SELECT key FROM idempotency_keys`)).toEqual([{ key: 'young' }]);
  });

  it('starts a range after the ids already in the DEFAULT partition for it (written while the range was missing)', async () => {
    // The sweep did not run for days: the next 12-hour boundary after its clock has no range yet,
    // and a message an hour into it went to the DEFAULT partition.
    const later = t0 + 10 * DAY;
    const boundary = Math.ceil(later / (12 * HOUR)) * 12 * HOUR;
    const app = await application();
    const early = await message(app, boundary + HOUR + 300);
    expect(await query(`SELECT tableoid::regclass::text AS partition FROM messages WHERE id = $1`, [early])).toEqual([{ partition: 'messages_default' }]);

    const report = await sweep.sweep(new Date(later));
    expect(report.busy).toEqual([]);
    // PostgreSQL would refuse a range holding it: this one begins on the next whole second.
    const suffix = `p${new Date(boundary + HOUR + 1_000).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', 't')}`;
    expect(report.created[0]).toBe(suffix);
    expect(await query(`SELECT tableoid::regclass::text AS partition FROM messages WHERE id = $1`, [early])).toEqual([{ partition: 'messages_default' }]);
    const next = await message(app, boundary + 2 * HOUR);
    expect(await query(`SELECT tableoid::regclass::text AS partition FROM messages WHERE id = $1`, [next])).toEqual([{ partition: `messages_${suffix}` }]);
    // The ranges after it keep to the 12-hour boundaries.
    expect((await repository.ranges()).filter((range) => range.from.getTime() > boundary).every((range) => range.to.getTime() % (12 * HOUR) === 0)).toBe(true);
  });

  it('lets one sweeper at a time hold the lock; the others skip their turn', async () => {
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    // The first holds the lock once its work has begun, however long taking a connection took.
    const holding = repository.exclusively(4242, () => new Promise<string>((resolve) => {
      release = () => resolve('ran');
      entered();
    }));
    await inside;
    expect(await repository.exclusively(4242, async () => 'also ran')).toBeNull();
    release();
    expect(await holding).toBe('ran');
    expect(await repository.exclusively(4242, async () => 'ran after')).toBe('ran after');
  });
});
