import type { DatabaseConfig, DatabaseTls } from '@hookline/config';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';
import { preparedStatementName } from './prepared-statements.js';

/** What node-pg hands to tls.connect. */
type PgTlsOptions = Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'checkServerIdentity'>;

/**
 * libpq's sslmode as node's TLS options: `require` encrypts without checking whom it talks to
 * (unless given a CA, then it is verify-ca, as in libpq), `verify-ca` checks the chain,
 * `verify-full` the chain and the host name. Without a CA file the system's roots are trusted.
 */
export function databaseTlsOptions(tls: DatabaseTls | null): PgTlsOptions | false {
  if (!tls) return false;
  const mode = tls.mode === 'require' && tls.ca ? 'verify-ca' : tls.mode;
  const files = { ...(tls.ca && { ca: tls.ca }), ...(tls.cert && { cert: tls.cert }), ...(tls.key && { key: tls.key }) };
  if (mode === 'require') return { ...files, rejectUnauthorized: false };
  if (mode === 'verify-ca') return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ...files, rejectUnauthorized: true };
}

/**
 * A pooled connection with an 'error' listener of its own, whoever holds it. pg reports a
 * connection the server dropped (a restart, `pg_ctl stop`, `pg_terminate_backend`) as an 'error'
 * event, and an 'error' event nobody listens to ends the process. pg-pool takes its listener off
 * a client it hands out, and TypeORM puts its own on one promise step later: a drop read in that
 * gap (the server's goodbye in the same packet as the connection's "ready") killed fanout in a
 * chaos run. The query in flight rejects on its own and the pool discards the client, so there is
 * nothing more to do here.
 */
class PooledClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/** A pooled connection that runs each declared hot statement (preparedStatement) as a named one. */
class PreparingClient extends PooledClient {}
// TypeORM hands pg a statement's text and its values; a declared one goes as a named statement.
// (Assigned rather than declared: pg's typings give query a dozen overloads to restate.)
const unnamedQuery = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
PreparingClient.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const [text, values] = args;
  const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) ? preparedStatementName(text) : undefined;
  return name === undefined ? unnamedQuery.apply(this, args) : unnamedQuery.call(this, { name, text, values });
} as pg.Client['query'];

/**
 * The one definition of Hookline's database connection, used by the services and by the
 * migration CLI alike. The schema changes only through migrations: never synchronize.
 * A bare URL means no TLS, a pool of 10 and prepared statements, unless `overrides` says
 * otherwise (tests).
 */
export function dataSourceOptions(
  database: DatabaseConfig | string,
  overrides: { applicationName?: string } & Partial<Pick<DatabaseConfig, 'poolSize' | 'preparedStatements'>> = {},
): DataSourceOptions {
  const config = typeof database === 'string' ? { url: database, tls: null, poolSize: 10, preparedStatements: true } : database;
  const { url, tls } = config;
  const poolSize = overrides.poolSize ?? config.poolSize;
  const preparedStatements = overrides.preparedStatements ?? config.preparedStatements;
  return {
    type: 'postgres',
    url,
    ssl: databaseTlsOptions(tls),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+: no extension to install.
    uuidExtension: 'pgcrypto',
    migrationsRun: false,
    poolSize,
    extra: { Client: preparedStatements ? PreparingClient : PooledClient },
    applicationName: overrides.applicationName ?? 'hookline',
    // Failed queries surface as errors in the code that ran them; TypeORM need not print them too.
    logging: ['warn', 'migration'],
  };
}
