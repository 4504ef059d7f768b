import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './manifests.js';

/**
 * What `npm start` keeps in .local/ (scripts/lib/local-secret.sh): the admin token and the key
 * that encrypts endpoint secrets, readable by their owner only, and kept across restarts.
 */
describe('the secrets of a local run', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-local-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const keep = (file: string) =>
    execFileSync('bash', ['-c', `source scripts/lib/local-secret.sh && umask 022 && keep_local_secret "$0" "'hk_admin_' + require('crypto').randomBytes(24).toString('base64url')"`, file], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
    });
  const mode = (file: string) => statSync(file).mode & 0o777;

  it('creates a new one with mode 0600 whatever the umask, and keeps its value on the next start', () => {
    const file = join(dir, 'admin-token');
    keep(file);
    expect(mode(file)).toBe(0o600);
    const token = readFileSync(file, 'utf8');
    expect(token).toMatch(/^hk_admin_[A-Za-z0-9_-]{32}$/);
    keep(file);
    expect(readFileSync(file, 'utf8')).toBe(token);
  });

  it('makes one an older run left readable by all readable by its owner only, keeping its value', () => {
    const file = join(dir, 'secrets-keys');
    writeFileSync(file, 'local:old', { mode: 0o644 });
    keep(file);
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('local:old');
  });
});

describe('scripts/start.sh', () => {
  const script = readFileSync(join(ROOT, 'scripts/start.sh'), 'utf8');

  it('listens on 127.0.0.1 unless told otherwise, and takes every port from the environment, so two stacks can run side by side', () => {
    expect(script).toContain('export HOOKLINE_LISTEN_HOST="${HOOKLINE_LISTEN_HOST:-127.0.0.1}"');
    for (const [variable, port] of [['HOOKLINE_API_PORT', 8080], ['HOOKLINE_FANOUT_HEALTH_PORT', 8081], ['HOOKLINE_DELIVERY_HEALTH_PORT', 8082], ['HOOKLINE_RETRY_HEALTH_PORT', 8083]]) {
      expect(script).toContain(`"\${${variable}:-${port}}"`);
    }
    // Every service's port, the health check and the banner follow those variables.
    expect(script).not.toMatch(/127\.0\.0\.1:\$\{HEALTH_PORT|:808[0-3]\b/);
  });
});
