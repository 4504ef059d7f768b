import { ConfigModule, loadConfig } from '@hookline/config';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleModule } from '../src/console/console.module.js';

/** Starts the console module alone, over HTTP, serving the folder given as HOOKLINE_CONSOLE_DIR. */
async function serve(env: Record<string, string>): Promise<{ app: INestApplication; url: string }> {
  const config = loadConfig('ingest', { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', HOOKLINE_ADMIN_TOKEN: 'x'.repeat(16), HOOKLINE_SECRETS_KEYS: 'k1:AAAA', ...env });
  const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), ConsoleModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

describe('the console and portal as ingest serves them', () => {
  let folder: string;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    // A build's shape: dist/<site>/index.html and hashed files under assets/.
    folder = mkdtempSync(join(tmpdir(), 'hookline-console-'));
    for (const site of ['console', 'portal']) {
      mkdirSync(join(folder, site, 'assets'), { recursive: true });
      writeFileSync(join(folder, site, 'index.html'), `<!doctype html><title>${site}</title><script type="module" src="/${site}/assets/index-abc123.js"></script>`);
      writeFileSync(join(folder, site, 'assets', 'index-abc123.js'), `console.log("${site}")`);
    }
    writeFileSync(join(folder, 'secret.txt'), 'not part of any site');
    ({ app, url } = await serve({ HOOKLINE_CONSOLE_DIR: folder, HOOKLINE_PORTAL_FRAME_ANCESTORS: "'self', https://*.shop.example" }));
  });

  afterAll(async () => {
    await app?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers the page for its root and any deep link, to be revalidated, with a CSP that allows no inline script and no framing', async () => {
    for (const path of ['/console/', '/console/app/01a2/messages', '/console/app/acme/endpoints/01a2?x=1']) {
      const response = await fetch(`${url}${path}`);
      expect([path, response.status, response.headers.get('content-type')]).toEqual([path, 200, 'text/html; charset=utf-8']);
      expect(await response.text()).toContain('<title>console</title>');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const csp = response.headers.get('content-security-policy')!;
      expect(csp.split('; ')).toEqual(expect.arrayContaining(["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "frame-ancestors 'none'"]));
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('lets the portal be framed by HOOKLINE_PORTAL_FRAME_ANCESTORS and show an https logo', async () => {
    const response = await fetch(`${url}/portal/endpoints/01a2`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>portal</title>');
    const csp = response.headers.get('content-security-policy')!.split('; ');
    expect(csp).toEqual(expect.arrayContaining(["frame-ancestors 'self' https://*.shop.example", "img-src 'self' data: https:", "script-src 'self'"]));
    expect(response.headers.get('x-frame-options')).toBeNull();
    expect(response.headers.get('cross-origin-opener-policy')).toBeNull();
  });

  it('serves hashed assets for a year, and a missing file as a 404, never as the page', async () => {
    const asset = await fetch(`${url}/console/assets/index-abc123.js`);
    expect([asset.status, asset.headers.get('cache-control'), asset.headers.get('content-type')]).toEqual([200, 'public, max-age=31536000, immutable', 'text/javascript; charset=utf-8']);
    expect(await asset.text()).toBe('console.log("console")');
    expect(asset.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const refused = { '/console/assets/index-old.js': 404, '/console/favicon.ico': 404, '/console/..%2fsecret.txt': 404, '/console/%2e%2e/secret.txt': 404, '/portal/../console/index.html': 404, '/console/%E0%A4%A': 400 };
    for (const [path, status] of Object.entries(refused)) {
      const response = await fetch(`${url}${path}`);
      const text = await response.text();
      expect([path, response.status, text.includes('not part of any site') || text.includes('<title>')]).toEqual([path, status, false]);
    }
  });

  it('redirects the bare prefix to the folder, keeping the query', async () => {
    const response = await fetch(`${url}/portal?brandColor=%23aa0055`, { redirect: 'manual' });
    expect([response.status, response.headers.get('location')]).toEqual([308, '/portal/?brandColor=%23aa0055']);
  });

  it('refuses to start when HOOKLINE_CONSOLE_DIR holds no build, naming the variable', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'hookline-console-empty-'));
    try {
      await expect(serve({ HOOKLINE_CONSOLE_DIR: empty })).rejects.toThrow(/HOOKLINE_CONSOLE_DIR: no console\/index.html and portal\/index.html under/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
