import { Application, dataSourceOptions, Endpoint, Message } from '@hookline/database';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { v7 as uuidv7 } from 'uuid';
import { isolatedDatabase } from '../support/env.js';

/** Runs the test against a database of its own, created and dropped around it. */
describe('migrations against the real PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof isolatedDatabase>>;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await isolatedDatabase('migrations');
    dataSource = await new DataSource(dataSourceOptions(database.url)).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** The tables, partitions left out (messages, message_endpoints and attempts have some). */
  async function tables(): Promise<string[]> {
    const rows: Array<{ relname: string }> = await dataSource.query(
      `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY relname`,
    );
    return rows.map((row) => row.relname);
  }

  it('survives the server dropping a connection it has handed out before its holder listens for errors', async () => {
    // As between pg-pool handing a client to TypeORM and TypeORM listening on it: nobody else listens.
    const pool = (dataSource.driver as PostgresDriver).master as Pool;
    const client: PoolClient = await pool.connect();
    const ended = new Promise((resolve) => client.once('end', resolve));
    const [{ terminated }] = await dataSource.query('SELECT pg_terminate_backend($1) AS terminated', [(client as PoolClient & { processID: number }).processID]);
    expect(terminated).toBe(true);
    // The server's FATAL arrives with no query in flight: an 'error' event, which ends the
    // process (and fails this test) unless the client has a listener of its own.
    await ended;
    client.release(new Error('dropped by the server'));
    expect(await dataSource.query('SELECT 1 AS up')).toEqual([{ up: 1 }]);
  });

  it('creates every table of the brief, exactly as the entities describe them', async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied.length).toBeGreaterThan(0);
    expect(await tables()).toEqual([
      'api_keys', 'app_portal_tokens', 'applications', 'attempts', 'endpoints', 'event_types', 'fanout_progress', 'idempotency_keys', 'message_endpoints', 'message_outbox', 'messages', 'migrations', 'ordering_queues', 'pending_deletions',
    ]);
    // Nothing left for TypeORM to synchronize: migrations and entities agree column for column.
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('writes and reads through the entities; a tenant deletion takes its endpoints at once and leaves its messages to the sweep', async () => {
    const application = await dataSource.getRepository(Application).save({ name: 'Acme', uid: 'acme' });
    const endpoint = await dataSource.getRepository(Endpoint).save({
      applicationId: application.id,
      url: 'https://example.com/hook',
      eventTypes: ['invoice.paid'],
      secretCiphertext: 'ciphertext',
      secretKeyId: 'k1',
    });
    await dataSource.getRepository(Message).save({ id: uuidv7(), applicationId: application.id, eventType: 'invoice.paid', eventId: 'evt-1', payload: { amount: 10 } });
    const loaded = await dataSource.getRepository(Endpoint).findOneByOrFail({ id: endpoint.id });
    expect(loaded.eventTypes).toEqual(['invoice.paid']);
    expect(loaded.disabled).toBe(false);

    // The same eventId twice for one application, in the same partition, is refused by the database itself.
    await expect(dataSource.getRepository(Message).insert({ id: uuidv7(), applicationId: application.id, eventType: 'invoice.paid', eventId: 'evt-1', payload: {} })).rejects.toThrow(/duplicate key/);

    await dataSource.getRepository(Application).delete({ id: application.id });
    expect(await dataSource.getRepository(Endpoint).countBy({ applicationId: application.id })).toBe(0);
    expect(await dataSource.getRepository(Message).countBy({ applicationId: application.id })).toBe(1);
  });

  it('moves messages not yet emitted into the outbox table, and back when reverted', async () => {
    const application = await dataSource.getRepository(Application).save({ name: 'Outbox' });
    const lastMigration = async () => (await dataSource.query(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`))[0].name;
    // Back to just before the outbox table, whatever came after it.
    const undoOutbox = async () => {
      while ((await lastMigration()) !== 'MessageOutbox1796297931544') await dataSource.undoLastMigration({ transaction: 'each' });
      await dataSource.undoLastMigration({ transaction: 'each' });
    };
    await undoOutbox();
    const insert = (emitted: boolean) =>
      dataSource.query(
        `INSERT INTO messages (id, application_id, event_type, payload, expires_at, emitted_at) VALUES (gen_random_uuid(), $1, 'a.b', '{}', now(), ${emitted ? 'now()' : 'NULL'}) RETURNING id`,
        [application.id],
      ) as Promise<Array<{ id: string }>>;
    const [[pending], [sent]] = [await insert(false), await insert(true)];
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await dataSource.query(`SELECT message_id FROM message_outbox`)).toEqual([{ message_id: pending!.id }]);

    await undoOutbox();
    const rows: Array<{ id: string; emitted: boolean }> = await dataSource.query(`SELECT id, emitted_at IS NOT NULL AS emitted FROM messages WHERE application_id = $1 ORDER BY emitted`, [application.id]);
    expect(rows).toEqual([
      { id: pending!.id, emitted: false },
      { id: sent!.id, emitted: true },
    ]);
    await dataSource.runMigrations({ transaction: 'each' });
  });

  it('reverts every migration, leaving only the bookkeeping table', async () => {
    while ((await dataSource.query(`SELECT count(*)::int AS n FROM migrations`))[0].n > 0) {
      await dataSource.undoLastMigration({ transaction: 'each' });
    }
    expect(await tables()).toEqual(['migrations']);
    const types: Array<{ typname: string }> = await dataSource.query(`SELECT typname FROM pg_type WHERE typname IN ('delivery_status', 'attempt_trigger', 'endpoint_ordering')`);
    expect(types).toEqual([]);
    expect(await dataSource.query(`SELECT proname FROM pg_proc WHERE proname LIKE 'hookline_%'`)).toEqual([]);
  });
});
