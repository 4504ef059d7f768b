import { ConfigError, HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The two front-ends of apps/console: each is built into a folder of its own and served under its name. */
export type Site = 'console' | 'portal';
const SITES: readonly Site[] = ['console', 'portal'];

/** `npm run build` writes apps/console/dist; this file sits at the same depth in the built ingest and in its sources. */
const BUILT_BESIDE_INGEST = fileURLToPath(new URL('../../../console/dist', import.meta.url));

/** Vite names every file under assets/ by its content hash: a changed file gets a new name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The page itself must be revalidated, so a deploy is seen at once. */
const REVALIDATE = 'no-cache';

/**
 * Serves the built console and portal on the API's own origin (no CORS): an existing file as
 * itself, any other path without a file extension as the site's index.html so that deep links
 * reach the client-side router, and a missing file as a 404. The file list is read once at boot
 * (the build does not change under a running service), so only files of the build can be served.
 * Every answer carries a Content-Security-Policy without inline script; the portal may be framed
 * by HOOKLINE_PORTAL_FRAME_ANCESTORS, the console by nobody.
 */
@Injectable()
export class StaticSites {
  private readonly logger = new Logger('console');
  private readonly root: string;
  private readonly files = new Map<Site, Set<string>>();
  private readonly headers: Record<Site, Record<string, string>>;

  constructor(@Inject(HOOKLINE_CONFIG) config: HooklineConfig) {
    this.root = resolve(config.console.dir ?? BUILT_BESIDE_INGEST);
    const built = SITES.filter((site) => existsSync(join(this.root, site, 'index.html')));
    if (config.console.dir !== null && built.length < SITES.length) {
      throw new ConfigError([`HOOKLINE_CONSOLE_DIR: no ${SITES.map((site) => `${site}/index.html`).join(' and ')} under "${this.root}"`]);
    }
    if (built.length < SITES.length) this.logger.warn(`no console build under ${this.root}: /console/ and /portal/ answer 404 until \`npm run build\``);
    for (const site of built) this.files.set(site, new Set(filesUnder(join(this.root, site))));
    this.headers = { console: securityHeaders('console', ["'none'"]), portal: securityHeaders('portal', config.console.portalFrameAncestors) };
  }

  serve(site: Site, request: Request, response: Response): void {
    response.set(this.headers[site]);
    const files = this.files.get(site);
    if (!files) {
      response.status(404).type('text/plain').send(`The ${site} is not built in this installation: run \`npm run build\` (or set HOOKLINE_CONSOLE_DIR).\n`);
      return;
    }
    // Relative URLs of the page resolve against /console/, not /console.
    if (!request.path.endsWith('/') && request.path.split('/').length === 2) {
      response.redirect(308, `/${site}/${request.originalUrl.slice(request.path.length)}`);
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(request.path.slice(site.length + 2));
    } catch {
      response.status(400).type('text/plain').send('Malformed percent-encoding in the path.\n');
      return;
    }
    if (files.has(path) && path !== 'index.html') {
      this.send(site, path, path.startsWith('assets/') ? IMMUTABLE : REVALIDATE, response);
    } else if (/\.[A-Za-z0-9]+$/.test(path)) {
      response.status(404).type('text/plain').send('Not found.\n');
    } else {
      this.send(site, 'index.html', REVALIDATE, response);
    }
  }

  private send(site: Site, path: string, cacheControl: string, response: Response): void {
    response.set('Cache-Control', cacheControl);
    response.sendFile(path, { root: join(this.root, site), cacheControl: false }, (error) => {
      if (error && !response.headersSent) response.status(404).type('text/plain').send('Not found.\n');
    });
  }
}

/** Every file under a folder, by its path relative to it with "/" separators. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

/**
 * No inline script or style element, no eval, requests only to this origin. The portal may show
 * the operator's logo from any https URL (a query parameter the portal has checked).
 */
function securityHeaders(site: Site, frameAncestors: string[]): Record<string, string> {
  const images = site === 'portal' ? "'self' data: https:" : "'self' data:";
  const policy = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${images}`,
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${frameAncestors.join(' ')}`,
  ].join('; ');
  return {
    'Content-Security-Policy': policy,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    // The console stands alone: no frame, no opener; the portal must work inside the operator's page.
    ...(site === 'console' ? { 'X-Frame-Options': 'DENY', 'Cross-Origin-Opener-Policy': 'same-origin' } : {}),
  };
}
