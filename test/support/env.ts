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
        await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await admin.destroy();
      }
    },
  };
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
