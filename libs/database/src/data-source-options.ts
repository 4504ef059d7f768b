import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * The one definition of Hookline's database connection, used by the services and by the
 * migration CLI alike. The schema changes only through migrations: never synchronize.
 */
export function dataSourceOptions(url: string, overrides: { poolSize?: number; applicationName?: string } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+: no extension to install.
    uuidExtension: 'pgcrypto',
    migrationsRun: false,
    poolSize: overrides.poolSize ?? 10,
    applicationName: overrides.applicationName ?? 'hookline',
    // Failed queries surface as errors in the code that ran them; TypeORM need not print them too.
    logging: ['warn', 'migration'],
  };
}
