import { dataSourceOptions } from '@hookline/database';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { MIGRATIONS } from '../../libs/database/src/migrations/index.js';
import { type ApiClient, apiClient } from '../support/api-client.js';
import { isolatedDatabase } from '../support/env.js';
import { startPipeline } from '../support/pipeline.js';

// An existing database moves to the partitioned layout without losing a row: main's schema
// (every migration before PartitionedMessages) with rows in it as the services wrote them, then
// the new migrations; every row is still there and readable through the API; and back again.

const DAY = 86_400_000;
/** Columns that migrations after PartitionedMessages add (OrderedDelivery's, TraceIds', OutboxRowsOfIngestRecords'), null or false on these rows. */
const LATER_COLUMNS = ['ordering_key', 'order_partition', 'order_offset', 'parked_at', 'trace_id', 'from_ingest_topic'];
const earlierColumns = (rows: Array<Record<string, unknown>>) => rows.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !LATER_COLUMNS.includes(column))));
const BEFORE = MIGRATIONS.findIndex((migration) => migration.name === 'PartitionedMessages1796410464057');

describe('moving an existing database to partitioned messages', () => {
  let database: Awaited<ReturnType<typeof isolatedDatabase>>;
  let dataSource: DataSource;
  const appId = uuidv7();
  const endpointId = uuidv7();
  const now = Date.now();
  // Messages as ingest wrote them (UUIDv7 ids of their creation time), of today and of weeks ago,
  // and two that a person wrote by hand with random ids: one whose id says 1970, one far ahead.
  const messages = [
    { id: uuidv7({ msecs: now - 60 * DAY }), at: now - 60 * DAY, eventId: 'old', status: 'dead' },
    { id: uuidv7({ msecs: now - 10 * DAY }), at: now - 10 * DAY, eventId: 'recent', status: 'succeeded' },
    { id: uuidv7({ msecs: now - 1_000 }), at: now - 1_000, eventId: 'now', status: 'failed' },
    { id: '00000000-1111-4222-8333-444444444444', at: now - 2 * DAY, eventId: 'hand-low', status: 'succeeded' },
    { id: 'fedcba98-7654-4321-8fed-cba987654321', at: now - 3 * DAY, eventId: 'hand-high', status: 'pending' },
  ];

  beforeAll(async () => {
    database = await isolatedDatabase('partitioning');
    dataSource = await new DataSource({ ...dataSourceOptions(database.url), migrations: MIGRATIONS.slice(0, BEFORE) }).initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.query(`INSERT INTO applications (id, name, uid, rate_limit) VALUES ($1, 'Existing', 'existing', NULL)`, [appId]);
    await dataSource.query(`INSERT INTO endpoints (id, application_id, url, secret_ciphertext, secret_key_id) VALUES ($1, $2, 'https://example.com/hook', 'x', 'k1')`, [endpointId, appId]);
    for (const [n, message] of messages.entries()) {
      const at = new Date(message.at);
      await dataSource.query(
        `INSERT INTO messages (id, application_id, event_type, event_id, channels, payload, created_at, expires_at) VALUES ($1, $2, 'order.paid', $3, '{eu}', $4, $5, $6)`,
        [message.id, appId, message.eventId, JSON.stringify({ n }), at, new Date(message.at + 90 * DAY)],
      );
      await dataSource.query(
        `INSERT INTO message_endpoints (message_id, endpoint_id, application_id, status, attempt_count, last_attempt_at, next_attempt_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $5)`,
        [message.id, endpointId, appId, message.status, at, message.status === 'failed' ? new Date(now + 60_000) : null],
      );
      await dataSource.query(
        `INSERT INTO attempts (id, message_id, endpoint_id, application_id, attempt_number, url, succeeded, response_status_code, response_duration_ms, response_excerpt, created_at)
         VALUES ($1, $2, $3, $4, 1, 'https://example.com/hook', $5, $6, 12, $7, $8)`,
        [uuidv7({ msecs: message.at }), message.id, endpointId, appId, message.status === 'succeeded', message.status === 'succeeded' ? 200 : 500, `answer ${n}`, at],
      );
    }
    // The latest is still in the outbox.
    await dataSource.query(`INSERT INTO message_outbox (message_id, created_at) VALUES ($1, $2)`, [messages[2]!.id, new Date(messages[2]!.at)]);
    await dataSource.destroy();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const snapshot = async (source: DataSource) => ({
    messages: await source.query(`SELECT id, application_id, event_type, event_id, channels, payload, created_at FROM messages ORDER BY id`),
    statuses: earlierColumns(await source.query(`SELECT * FROM message_endpoints ORDER BY message_id`)),
    attempts: earlierColumns(await source.query(`SELECT * FROM attempts ORDER BY id`)),
    outbox: earlierColumns(await source.query(`SELECT * FROM message_outbox`)),
  });

  it('keeps every row, in the partition of its time (the hand-written ids where theirs say), readable through the API, and back when reverted', async () => {
    dataSource = await new DataSource(dataSourceOptions(database.url)).initialize();
    const before = await snapshot(dataSource);
    expect(before.messages).toHaveLength(5);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await snapshot(dataSource)).toEqual(before);

    const partitions: Array<{ id: string; partition: string }> = await dataSource.query(`SELECT id, tableoid::regclass::text AS partition FROM messages ORDER BY id`);
    const day = (at: number) => `messages_p${new Date(Math.floor(at / DAY) * DAY).toISOString().slice(0, 10).replaceAll('-', '')}t000000`;
    expect(Object.fromEntries(partitions.map((row) => [row.id, row.partition]))).toEqual({
      [messages[0]!.id]: day(now - 60 * DAY),
      [messages[1]!.id]: day(now - 10 * DAY),
      [messages[2]!.id]: day(now),
      [messages[3]!.id]: 'messages_p19700101t000000',
      [messages[4]!.id]: 'messages_default',
    });
    // Statuses and attempts sit in the partitions of their message's range.
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM attempts a JOIN messages m ON m.id = a.message_id WHERE substr(a.tableoid::regclass::text, 10) <> substr(m.tableoid::regclass::text, 10)`)).toEqual([{ n: 0 }]);

    const pipeline = await startPipeline('partitioning', { DATABASE_URL: database.url }, ['ingest']);
    try {
      const admin: ApiClient = apiClient(pipeline.apiUrl, pipeline.adminToken);
      const listed = await admin.get<{ data: Array<{ id: string; eventId: string; payload: unknown }> }>(`/api/v1/app/existing/msg?limit=10`);
      expect(listed.body.data.map((message) => message.eventId).sort()).toEqual(messages.map((message) => message.eventId).sort());
      for (const [n, message] of messages.entries()) {
        const got = await admin.get<{ id: string; payload: unknown; channels: string[] }>(`/api/v1/app/existing/msg/${message.eventId}`);
        expect(got.body).toMatchObject({ id: message.id, payload: { n }, channels: ['eu'] });
        const attempts = await admin.get<{ data: Array<{ response: string }> }>(`/api/v1/app/existing/attempt/msg/${message.id}`);
        expect(attempts.body.data.map((attempt) => attempt.response)).toEqual([`answer ${n}`]);
      }
      const dead = await admin.get<{ data: Array<{ msgId: string }> }>(`/api/v1/app/existing/dead-letter`);
      expect(dead.body.data.map((letter) => letter.msgId)).toEqual([messages[0]!.id]);
      // A new message goes to today's partition.
      const created = await admin.post<{ id: string }>(`/api/v1/app/existing/msg`, { eventType: 'order.paid', payload: { n: 5 } });
      expect(created.status).toBe(202);
      expect(await dataSource.query(`SELECT tableoid::regclass::text AS partition FROM messages WHERE id = $1`, [created.body.id])).toEqual([{ partition: day(Date.now()) }]);
      await dataSource.query(`DELETE FROM messages WHERE id = $1`, [created.body.id]);
    } finally {
      await pipeline.stop();
    }

    const undoUntil = async (name: string) => {
      while ((await dataSource.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`))[0].name !== name) await dataSource.undoLastMigration({ transaction: 'each' });
    };
    // The later migrations' columns go first; then PartitionedMessages and what came with it.
    await undoUntil('NoApplicationThrottle1796410464058');
    const migrated = await snapshot(dataSource);
    await undoUntil(MIGRATIONS[BEFORE - 1]!.name);
    // The outbox row was emitted meanwhile; the rest is as it was.
    expect({ ...(await snapshot(dataSource)), outbox: [] }).toEqual({ ...migrated, outbox: [] });
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM messages WHERE expires_at = created_at + interval '90 days'`)).toEqual([{ n: 5 }]);
    expect(await dataSource.query(`SELECT relkind FROM pg_class WHERE relname = 'messages'`)).toEqual([{ relkind: 'r' }]);
  });
});
