import { dataSourceOptions, preparedStatement } from '@hookline/database';
import { DataSource } from 'typeorm';
import { migrateTestDatabase, requireStack } from '../support/env.js';

// The hot statements run as named prepared statements on the connection (so PostgreSQL can keep
// their plans), the rest as before; HOOKLINE_DATABASE_PREPARED_STATEMENTS=false names none, for a
// pooler in transaction mode that cannot carry them.

const PROBE = preparedStatement('hookline_test_probe', 'SELECT $1::int + 1 AS n');
const UNDECLARED = 'SELECT $1::int + 2 AS n';

describe('prepared statements in PostgreSQL', () => {
  beforeAll(() => migrateTestDatabase());

  async function withDataSource(preparedStatements: boolean, use: (dataSource: DataSource) => Promise<void>): Promise<void> {
    // One connection, so what the probe prepared is visible to the next query.
    const dataSource = await new DataSource(dataSourceOptions(requireStack().databaseUrl, { poolSize: 1, preparedStatements })).initialize();
    try {
      await use(dataSource);
    } finally {
      await dataSource.destroy();
    }
  }

  const prepared = async (dataSource: DataSource) =>
    ((await dataSource.query('SELECT name, statement FROM pg_prepared_statements ORDER BY name')) as Array<{ name: string; statement: string }>);

  it('runs a declared statement as a named one, in and out of transactions, and gives its results', async () => {
    await withDataSource(true, async (dataSource) => {
      expect(await dataSource.query(PROBE, [1])).toEqual([{ n: 2 }]);
      expect(await dataSource.transaction((manager) => manager.query(PROBE, [41]))).toEqual([{ n: 42 }]);
      expect(await dataSource.query(UNDECLARED, [1])).toEqual([{ n: 3 }]);
      expect(await prepared(dataSource)).toEqual([{ name: 'hookline_test_probe', statement: PROBE }]);
    });
  });

  it('names none when turned off', async () => {
    await withDataSource(false, async (dataSource) => {
      expect(await dataSource.query(PROBE, [1])).toEqual([{ n: 2 }]);
      expect(await prepared(dataSource)).toEqual([]);
    });
  });
});
