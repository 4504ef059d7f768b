import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (scripts/lib/chromium.sh installs it); HOOKLINE_CHROMIUM names another build. */
export const CHROMIUM = process.env.HOOKLINE_CHROMIUM ?? '/usr/bin/chromium';

/** Where the browser tests leave a screenshot of every page they visit (git-ignored). */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));

/**
 * A headless Chromium. Playwright gives every launch a fresh profile (its own --user-data-dir,
 * deleted on close); the flags keep Chromium from calling home, which on a machine without the
 * internet otherwise ends in refused connections.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Chromium at ${CHROMIUM}: \`apt-get install chromium\` (npm test does it when run as root), or set HOOKLINE_CHROMIUM`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** What a page did that a test must see: dialogs it opened, script errors, Content-Security-Policy violations. */
export interface PageWatch {
  dialogs: string[];
  errors: string[];
  cspViolations: string[];
}

/** A page in a context of its own, watched for dialogs (dismissed), uncaught errors and CSP violations. */
export async function openPage(browser: Browser, options: { width?: number; height?: number } = {}): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 }, timezoneId: 'Europe/Paris', locale: 'en-GB' });
  const watch: PageWatch = { dialogs: [], errors: [], cspViolations: [] };
  context.on('page', (page) => watchPage(page, watch));
  const page = await context.newPage();
  return { context, page, watch };
}

/** The browser of a describe block's tests: Chromium and one watched page in a context of its own. */
export interface BrowserPage {
  chromium: Browser;
  context: BrowserContext;
  page: Page;
  watch: PageWatch;
}

/**
 * launchChromium and openPage for the tests of a describe block (or file): launched before them,
 * closed after them (closing Chromium closes its contexts and pages). The fields are set once the
 * tests run.
 */
export function useBrowserPage(): BrowserPage {
  const browser = {} as BrowserPage;
  beforeAll(async () => {
    browser.chromium = await launchChromium();
    Object.assign(browser, await openPage(browser.chromium));
  });
  afterAll(async () => {
    await browser.chromium?.close();
  });
  return browser;
}

function watchPage(page: Page, watch: PageWatch): void {
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => watch.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy/i.test(message.text())) watch.cspViolations.push(message.text());
  });
}

/** Roles a person operates; each needs a name a screen reader can say. */
const CONTROL_ROLES = ['button', 'link', 'textbox', 'searchbox', 'combobox', 'checkbox', 'radio', 'spinbutton', 'slider', 'switch', 'listbox'];

/** The controls of the page without an accessible name, as Chromium's accessibility tree has them. */
export async function unnamedControls(page: Page): Promise<string[]> {
  const tree = await page.locator('body').ariaSnapshot();
  const unnamed = new RegExp(`^\\s*- (${CONTROL_ROLES.join('|')})(\\s*\\[[^\\]]*\\])*:?\\s*$`);
  return tree.split('\n').filter((line) => unnamed.test(line)).map((line) => line.trim());
}

/**
 * Keeps a full-page screenshot as a test artifact: test-artifacts/screenshots/<name>.png; and
 * checks that every control on it has a name, so each page the tests visit is held to that.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  expect([name, await unnamedControls(page)]).toEqual([name, []]);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Nothing went wrong in the pages watched: no dialog opened, no script error, no CSP violation. */
export function expectCleanPages(watch: PageWatch): void {
  expect(watch).toEqual({ dialogs: [], errors: [], cspViolations: [] });
}

/** Whether the page is wider than its viewport (a layout that does not fit a phone). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  // Page code as text: the tests' TypeScript has no DOM types.
  return page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth');
}

/** The built console must be there: ingest serves apps/console/dist, which `npm run build` writes. */
export async function requireBuiltConsole(apiUrl: string): Promise<void> {
  const response = await fetch(`${apiUrl}/console/`);
  if (response.status !== 200) throw new Error(`${apiUrl}/console/ answered ${response.status}: build the console first (npm run build)`);
}
