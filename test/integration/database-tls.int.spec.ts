import { loadDatabaseConfig } from '@hookline/config';
import { dataSourceOptions, describeDatabaseError } from '@hookline/database';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { ROOT } from '../deploy/manifests.js';
import { certificateAuthority, type Issued, issueCertificate } from '../support/certificates.js';
import { freePort } from '../support/service-process.js';

/**
 * PostgreSQL over TLS: a cluster of the test's own (scripts/stack/postgres.sh with ssl on and a
 * certificate generated here, naming 127.0.0.1 only), reached through the one DataSource
 * definition of the services and of the migration CLI.
 */

const run = promisify(execFile);
let dir: string;
let ca: Issued;
let otherCa: Issued;
let url: string;
let stackEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookline-pg-tls-'));
  // The cluster runs as the postgres user when the test runs as root: it must reach its files.
  chmodSync(dir, 0o755);
  ca = certificateAuthority(dir, 'pg-test-ca');
  otherCa = certificateAuthority(dir, 'other-ca');
  const server = issueCertificate(dir, ca, 'pg-server', { server: { ips: ['127.0.0.1'] } });
  stackEnv = {
    ...process.env,
    HOOKLINE_PG_STATE_DIR: join(dir, 'postgres'),
    HOOKLINE_PG_PORT: String(await freePort()),
    HOOKLINE_PG_SSL_CERT_FILE: server.certFile,
    HOOKLINE_PG_SSL_KEY_FILE: server.keyFile,
  };
  // Niced, like the test's Kafka: other test files share the two cores.
  const { stdout } = await run('nice', ['-n', '10', 'bash', join(ROOT, 'scripts/stack/postgres.sh'), 'start'], { env: stackEnv, timeout: 120_000 });
  url = stdout.split('\n').find((line) => line.startsWith('DATABASE_URL='))!.slice('DATABASE_URL='.length);
}, 180_000);

afterAll(async () => {
  if (stackEnv) await run('bash', [join(ROOT, 'scripts/stack/postgres.sh'), 'stop'], { env: stackEnv }).catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Connects with the services' settings and answers whether the session is encrypted. */
async function sessionEncrypted(env: NodeJS.ProcessEnv): Promise<boolean> {
  const dataSource = await new DataSource(dataSourceOptions(loadDatabaseConfig({ DATABASE_URL: url, ...env }))).initialize();
  try {
    const [row] = await dataSource.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    return row.ssl;
  } finally {
    await dataSource.destroy();
  }
}

async function refusal(env: NodeJS.ProcessEnv): Promise<string | null> {
  try {
    await sessionEncrypted(env);
  } catch (error) {
    return describeDatabaseError(error);
  }
  throw new Error('expected the connection to be refused');
}

it('connects with sslmode verify-full and the CA that signed the server certificate', async () => {
  expect(await sessionEncrypted({ HOOKLINE_DATABASE_SSLMODE: 'verify-full', HOOKLINE_DATABASE_SSL_CA_FILE: ca.certFile })).toBe(true);
  // The same from DATABASE_URL's own parameters, as libpq reads them.
  expect(await sessionEncrypted({ DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca.certFile)}` })).toBe(true);
  expect(await sessionEncrypted({})).toBe(false);
});

it('refuses a server whose certificate another CA signed, saying which setting to check', async () => {
  const reason = await refusal({ HOOKLINE_DATABASE_SSLMODE: 'verify-full', HOOKLINE_DATABASE_SSL_CA_FILE: otherCa.certFile });
  expect(reason).toMatch(/^PostgreSQL unavailable: TLS certificate verify failed.*check HOOKLINE_DATABASE_SSL_CA_FILE$/);
  // require with a CA verifies the chain too (libpq's rule); without one it only encrypts.
  expect(await refusal({ HOOKLINE_DATABASE_SSLMODE: 'require', HOOKLINE_DATABASE_SSL_CA_FILE: otherCa.certFile })).toMatch(/TLS certificate verify failed/);
  expect(await sessionEncrypted({ HOOKLINE_DATABASE_SSLMODE: 'require' })).toBe(true);
});

it('checks the host name only with verify-full', async () => {
  const byName = { DATABASE_URL: url.replace('127.0.0.1', 'localhost'), HOOKLINE_DATABASE_SSL_CA_FILE: ca.certFile };
  expect(await refusal({ ...byName, HOOKLINE_DATABASE_SSLMODE: 'verify-full' })).toMatch(/^PostgreSQL unavailable: TLS hostname mismatch/);
  expect(await sessionEncrypted({ ...byName, HOOKLINE_DATABASE_SSLMODE: 'verify-ca' })).toBe(true);
});

it('runs the migrations over verify-full through the CLI entry point the migration Job uses', async () => {
  const { stdout } = await run(join(ROOT, 'node_modules/.bin/node'), ['node_modules/typeorm/cli.js', 'migration:run', '-d', 'libs/database/dist/data-source.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, HOOKLINE_DATABASE_SSLMODE: 'verify-full', HOOKLINE_DATABASE_SSL_CA_FILE: ca.certFile },
    timeout: 60_000,
  });
  expect(stdout).toMatch(/Migration .* has been executed successfully/);
  await expect(
    run(join(ROOT, 'node_modules/.bin/node'), ['node_modules/typeorm/cli.js', 'migration:run', '-d', 'libs/database/dist/data-source.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, HOOKLINE_DATABASE_SSLMODE: 'verify-full', HOOKLINE_DATABASE_SSL_CA_FILE: join(dir, 'missing.pem') },
    }),
  ).rejects.toMatchObject({ stderr: expect.stringContaining('HOOKLINE_DATABASE_SSL_CA_FILE: cannot read') });
}, 60_000);
