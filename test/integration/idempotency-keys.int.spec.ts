import type { HooklineConfig } from '@hookline/config';
import { dataSourceOptions, IdempotencyKey } from '@hookline/database';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IdempotencyKeysRepository } from '../../apps/ingest/src/idempotency/idempotency-keys.repository.js';
import { isolatedDatabase, migrate } from '../support/env.js';

// The batched claims of Idempotency-Keys against the real PostgreSQL, on a database of their own.
// Two repositories stand for two ingest instances (or two batches in flight) of the same keys.

describe('IdempotencyKeysRepository', () => {
  let database: Awaited<ReturnType<typeof isolatedDatabase>>;
  let dataSource: DataSource;
  const config = { api: { idempotencyKeyTtlMs: 86_400_000 } } as HooklineConfig;
  const repository = () => new IdempotencyKeysRepository(dataSource.getRepository(IdempotencyKey), config);
  const claim = (keys: IdempotencyKeysRepository, key: string) => keys.claim({ scope: 'admin', key, route: 'POST /api/v1/app/x/msg', requestHash: '0'.repeat(64) });

  beforeAll(async () => {
    database = await isolatedDatabase('idempotency');
    await migrate(database.url);
    dataSource = await new DataSource(dataSourceOptions(database.url, { poolSize: 4 })).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('gives each key to exactly one of two batches that claim the same keys at once in opposite orders, without a deadlock', async () => {
    for (let round = 0; round < 3; round++) {
      const keys = Array.from({ length: 400 }, (_, n) => `round-${round}-${String(n).padStart(3, '0')}-${randomUUID()}`);
      const [one, other] = [repository(), repository()];
      const [won, alsoWon] = await Promise.all([Promise.all(keys.map((key) => claim(one, key))), Promise.all([...keys].reverse().map((key) => claim(other, key)))]);
      alsoWon.reverse();
      keys.forEach((_, index) => expect(Number(won[index]) + Number(alsoWon[index])).toBe(1));
    }
  });

  it('fails a claim PostgreSQL refuses alone, and claims the rest of its batch', async () => {
    const keys = repository();
    const good = [`good-${randomUUID()}`, `good-${randomUUID()}`];
    const results = await Promise.allSettled([claim(keys, good[0]!), claim(keys, 'k'.repeat(300)), claim(keys, good[1]!)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results.filter((result) => result.status === 'fulfilled').map((result) => result.value)).toEqual([true, true]);
    const stored = await dataSource.query('SELECT key FROM idempotency_keys WHERE key = ANY($1::text[]) ORDER BY key', [good]);
    expect(stored.map((row: { key: string }) => row.key)).toEqual([...good].sort());
  });
});
