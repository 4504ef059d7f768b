import { randomUUID } from 'node:crypto';

/** The real broker and database that scripts/test.sh started (or was given). */
export function requireStack(): { brokers: string[]; databaseUrl: string } {
  const brokers = process.env.KAFKA_BROKERS;
  const databaseUrl = process.env.DATABASE_URL;
  if (!brokers || !databaseUrl) {
    throw new Error('integration tests need KAFKA_BROKERS and DATABASE_URL: run them with `npm test`');
  }
  return { brokers: brokers.split(','), databaseUrl };
}

/** A topic prefix of its own per test file, so tests sharing the broker never see each other's records. */
export function uniquePrefix(name: string): string {
  return `test-${name}-${randomUUID().slice(0, 8)}`;
}

/** Polls until the check stops throwing, or fails with its last error. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

let migrated: Promise<void> | null = null;

/**
 * Brings the shared test database's schema up to date through the production migrations, once
 * per test file; an advisory lock keeps parallel Jest workers from migrating at the same time.
 */
export function migrateTestDatabase(): Promise<void> {
  migrated ??= migrate(requireStack().databaseUrl, { lock: 7400 });
  return migrated;
}

/**
 * A database of its own on the shared server, for a test that must not share rows with the
 * others (the outbox relays of every test's ingest sweep the shared database), or that runs the
 * migrations itself. `drop()` removes it, closing any connection still open.
 */
export async function isolatedDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { DataSource } = await import('typeorm');
  const { databaseUrl } = requireStack();
  const database = `hookline_${name}_${randomUUID().slice(0, 8)}`;
  const admin = await new DataSource({ type: 'postgres', url: databaseUrl }).initialize();
  await admin.query(`CREATE DATABASE "${database}"`);
  return {
    url: Object.assign(new URL(databaseUrl), { pathname: `/${database}` }).toString(),
    drop: async () => {
      try {
        await dropDatabase(admin, database);
      } finally {
        await admin.destroy();
      }
    },
  };
}

/**
 * Drops a test's database. FORCE closes the connections a test left open, but it refused once in
 * CI with 42501 ("must be a member of the role whose process is being terminated"): every test
 * session is the test role's, so the session it could not end was, most likely, an autovacuum
 * worker, which PostgreSQL 15 does not let another role terminate. A plain DROP stops such a
 * worker itself, so that is tried next, a few times.
 */
async function dropDatabase(admin: { query(sql: string): Promise<unknown> }, database: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '42501' || attempt === 5) throw error;
    }
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${database}"`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Brings a database's schema up to date through the production migrations, under `lock` if given. */
export async function migrate(url: string, { lock }: { lock?: number } = {}): Promise<void> {
  const { dataSourceOptions } = await import('@hookline/database');
  const { DataSource } = await import('typeorm');
  const dataSource = await new DataSource(dataSourceOptions(url, { applicationName: 'hookline-tests' })).initialize();
  try {
    if (lock !== undefined) await dataSource.query('SELECT pg_advisory_lock($1)', [lock]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    if (lock !== undefined) await dataSource.query('SELECT pg_advisory_unlock($1)', [lock]).catch(() => undefined);
    await dataSource.destroy();
  }
}
