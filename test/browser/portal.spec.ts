import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { apiClient } from '../support/api-client.js';
import { expectCleanPages, openPage, overflowsHorizontally, requireBuiltConsole, screenshot, useBrowserPage } from '../support/browser.js';
import { eventually } from '../support/env.js';
import { usePipeline } from '../support/pipeline.js';
import { useReceiver } from '../support/receiver.js';

/**
 * The app portal in Chromium, opened the way an operator's customer opens it: from a link that
 * the console makes with an app-portal token (a session scoped to one application, which
 * expires), never with an API key. Everything in the page is done by clicking and typing.
 */
describe('app portal, in a browser', () => {
  const suffix = randomUUID().slice(0, 8);
  const created = `portal.created.${suffix}`;
  const cancelled = `portal.cancelled.${suffix}`;
  /** A type whose schemas give no example: nothing the portal may send. */
  const plain = `portal.plain.${suffix}`;
  // The operator's site (http://localhost:<port>) may frame the portal; 127.0.0.1 is the API's origin.
  const ctx = usePipeline('browser-portal', { env: { HOOKLINE_PORTAL_FRAME_ANCESTORS: "'self', http://localhost:*" } });
  const receiver = useReceiver();
  const browser = useBrowserPage();
  let portal: Page;
  let appA: { id: string };
  let appB: { id: string };
  let appBEndpoint = '';
  let portalToken: string;
  let portalUrl: string;
  let fixed = false;
  /** What the receiver's /host page frames: a page of "the operator's site" on another origin. */
  let framed = '';

  beforeAll(async () => {
    await requireBuiltConsole(ctx.pipeline.apiUrl);
    receiver.respond = (request) => {
      if (request.path === '/host') {
        return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: `<!doctype html><title>Operator site</title><iframe title="Embedded" src="${framed}" width="100%" height="700"></iframe>` };
      }
      // A FIFO endpoint that is gone: its first message holds its key.
      if (request.path === '/held') return { status: 410, body: 'this hook is gone' };
      if (request.path === '/down') return { status: fixed ? 200 : 500, body: fixed ? 'back' : 'server error' };
      return { status: 200, body: 'received' };
    };
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    // The portal sends only an event type's example as a test event.
    const schemas = (name: string) => ({ '1': { type: 'object', examples: [{ order: 'ord_1', event: name }] } });
    for (const name of [created, cancelled]) expect((await admin.post('/event-type', { name, description: `Portal test ${name}`, schemas: schemas(name) })).status).toBe(201);
    expect((await admin.post('/event-type', { name: plain, description: 'No example' })).status).toBe(201);
    appA = (await admin.post<{ id: string }>('/app', { name: `Portal shop A ${suffix}` })).body;
    appB = (await admin.post<{ id: string }>('/app', { name: `Portal shop B ${suffix}` })).body;
    const bOnly = await admin.post<{ id: string }>(`/app/${appB.id}/endpoint`, { url: receiver.url('/b-only') });
    expect(bOnly.status).toBe(201);
    appBEndpoint = bOnly.body.id;
  });

  const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

  it('is opened from the link the console makes with an app-portal token', async () => {
    const operator = await browser.context.newPage();
    await operator.goto(`${ctx.pipeline.apiUrl}/console/app/${appA.id}/access`);
    await operator.getByLabel('Admin token or API key').fill(ctx.pipeline.adminToken);
    await operator.getByRole('button', { name: 'Sign in' }).click();
    await heading(operator, 'Access').waitFor();
    await operator.getByRole('button', { name: 'Create portal link' }).click();
    portalUrl = await operator.getByLabel('Portal link').inputValue();
    const link = operator.getByRole('link', { name: 'Open the app portal' });
    expect(await link.getAttribute('href')).toBe(portalUrl);
    const { hash, search } = new URL(portalUrl);
    expect(search).toBe('');
    // A portal session's token, not an API key: it expires and reaches only what the portal does.
    const fragment = new URLSearchParams(hash.slice(1));
    expect(fragment.get('app')).toBe(appA.id);
    portalToken = fragment.get('token')!;
    expect(portalToken).toMatch(/^hk_portal_/);
    await screenshot(operator, 'console-access');

    const requested: string[] = [];
    browser.context.on('request', (request) => requested.push(request.url()));
    const [opened] = await Promise.all([browser.context.waitForEvent('page'), link.click()]);
    portal = opened;
    await heading(portal, 'Endpoints').waitFor();
    await portal.getByText(`Webhooks · Portal shop A ${suffix}`).waitFor();
    // The token went from the fragment into memory: not in the address, never in a request's URL.
    expect(portal.url()).toBe(`${ctx.pipeline.apiUrl}/portal/`);
    expect(requested.filter((url) => url.includes(portalToken))).toEqual([]);
    await portal.getByText('No endpoints yet').waitFor();
    await operator.close();
  });

  it('shows a refused URL in the API words, creates an endpoint with the event-type picker, edits it, reveals and rotates its secret', async () => {
    await portal.getByRole('link', { name: 'Add endpoint' }).click();
    await heading(portal, 'Add endpoint').waitFor();
    // A URL the API refuses: its 422 is shown field by field, in its own words.
    await portal.getByLabel('Endpoint URL').fill('ftp://files.example.com/hook');
    await portal.getByRole('button', { name: 'Create endpoint' }).click();
    await portal.getByRole('alert').filter({ hasText: 'The endpoint was not saved' }).getByText(/^body\.url: an absolute http:\/\/ or https:\/\/ URI/).waitFor();
    await portal.getByLabel('Endpoint URL').fill(receiver.url('/orders'));
    await portal.getByRole('checkbox', { name: created }).check();
    await portal.getByLabel('Rate limit (deliveries per second)').fill('20');
    await screenshot(portal, 'portal-add-endpoint');
    await portal.getByRole('button', { name: 'Create endpoint' }).click();
    await heading(portal, `Endpoint ${receiver.url('/orders')}`).waitFor();
    await portal.getByText('20 / s').waitFor();
    await portal.getByRole('button', { name: 'Edit endpoint' }).click();
    await portal.getByLabel('Description').fill('Orders, production');
    await portal.getByRole('button', { name: 'Save changes' }).click();
    await portal.getByText('The endpoint was saved.').waitFor();
    await portal.getByText('Orders, production').waitFor();

    await portal.getByRole('button', { name: 'Reveal secret' }).click();
    const secret = portal.getByLabel('Current secret');
    await secret.waitFor();
    const before = await secret.inputValue();
    expect(before).toMatch(/^whsec_/);
    await portal.getByRole('button', { name: 'Rotate secret…' }).click();
    await portal.getByRole('button', { name: 'Rotate', exact: true }).click();
    await eventually(async () => expect(await secret.inputValue()).not.toBe(before), 10_000, 100);
  });

  it("sends the event type's example as a test event and watches its attempt", async () => {
    expect(await portal.getByLabel('Event type').inputValue()).toBe(created);
    expect(await portal.getByRole('region', { name: 'Example payload' }).textContent()).toContain(`"event": "${created}"`);
    expect(await portal.getByText('Example payload', { exact: true }).isVisible()).toBe(true);
    // No payload of the customer's own: the example is shown, not edited.
    expect(await portal.getByLabel('Payload (JSON)').count()).toBe(0);
    await portal.getByRole('button', { name: 'Send test event' }).click();
    const attempts = portal.getByRole('region', { name: 'Attempts of the test event' });
    await attempts.getByText('Succeeded').waitFor({ timeout: 30_000 });
    await attempts.getByRole('cell', { name: '200' }).waitFor();
    expect(receiver.on('/orders')).toHaveLength(1);
    expect(JSON.parse(receiver.on('/orders')[0]!.body)).toEqual({ order: 'ord_1', event: created });
    await screenshot(portal, 'portal-endpoint');
  });

  it('reads the message log with its attempts, and resends', async () => {
    await portal.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Messages' }).click();
    await heading(portal, 'Messages').waitFor();
    const messages = portal.getByRole('region', { name: 'Messages' });
    await messages.getByText(created).waitFor();
    await screenshot(portal, 'portal-messages');
    await messages.getByRole('link').first().click();
    await heading(portal, `Message ${created}`).waitFor();
    // Expunging is the operator's (the console's): an app-portal token is refused it.
    expect(await portal.getByRole('button', { name: 'Expunge content…' }).count()).toBe(0);
    const attempts = portal.getByRole('region', { name: `Attempts to ${receiver.url('/orders')}` });
    await attempts.getByText('Succeeded').waitFor();
    await portal.getByRole('button', { name: `Resend to ${receiver.url('/orders')}` }).click();
    // The test event was a manual attempt too (send-example): the resend is the second.
    await attempts.getByRole('cell', { name: 'Manual' }).nth(1).waitFor({ timeout: 30_000 });
    expect(receiver.on('/orders')).toHaveLength(2);
    await screenshot(portal, 'portal-message');
  });

  it('recovers what failed on an endpoint since a time', async () => {
    await portal.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Endpoints' }).click();
    await portal.getByRole('link', { name: 'Add endpoint' }).click();
    await portal.getByLabel('Endpoint URL').fill(receiver.url('/down'));
    await portal.getByRole('checkbox', { name: cancelled }).check();
    await portal.getByRole('button', { name: 'Create endpoint' }).click();
    await heading(portal, `Endpoint ${receiver.url('/down')}`).waitFor();
    await portal.getByRole('button', { name: 'Send test event' }).click();
    await portal.getByRole('region', { name: 'Attempts of the test event' }).getByText('server error').first().waitFor({ timeout: 30_000 });

    fixed = true;
    await portal.getByRole('button', { name: 'Recover' }).click();
    await portal.getByText('Every message that failed on this endpoint since then is being sent again.').waitFor();
    const attempts = portal.getByRole('region', { name: 'Attempts to this endpoint' });
    await attempts.getByRole('row').filter({ hasText: 'Manual' }).filter({ hasText: 'Succeeded' }).first().waitFor({ timeout: 30_000 });
  });

  it("sets an endpoint's custom headers, refused in the API's words, a credential's value never shown again, and its deliveries carry them", async () => {
    await heading(portal, `Endpoint ${receiver.url('/down')}`).waitFor();
    const panel = portal.getByRole('region', { name: 'Custom headers' });
    await portal.getByText('No custom headers.').waitFor();
    const set = async (name: string, value: string) => {
      await portal.getByLabel('Header name').fill(name);
      await portal.getByLabel('Header value').fill(value);
      await portal.getByRole('button', { name: 'Set header' }).click();
    };
    await set('Host', 'evil.example');
    await portal.getByRole('alert').getByText(/body\.headers\.Host/).waitFor();
    await set('X-Tenant', 'acme <b>bold</b>');
    await panel.getByRole('row').filter({ hasText: 'X-Tenant' }).getByText('acme <b>bold</b>').waitFor();
    await set('Authorization', 'Bearer s3cret');
    await panel.getByRole('row').filter({ hasText: 'Authorization' }).getByText('Hidden: it carries a credential').waitFor();
    expect(await panel.getByText('Bearer s3cret').count()).toBe(0);
    await screenshot(portal, 'portal-endpoint-headers');

    const before = receiver.on('/down').length;
    await portal.getByRole('button', { name: 'Send test event' }).click();
    await eventually(() => expect(receiver.on('/down').length).toBeGreaterThan(before), 30_000);
    expect(receiver.on('/down')[before]!.headers).toMatchObject({ 'x-tenant': 'acme <b>bold</b>', authorization: 'Bearer s3cret' });

    await portal.getByRole('button', { name: 'Remove header X-Tenant' }).click();
    await eventually(async () => expect(await panel.getByText('X-Tenant').count()).toBe(0));
    await portal.getByRole('button', { name: 'Remove header Authorization' }).click();
    await portal.getByText('No custom headers.').waitFor();
  });

  it("opened with an app-portal token, shows each endpoint's success rate and filters the log by delivery status", async () => {
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    const access = (await admin.post<{ url: string; token: string }>(`/auth/app-portal-access/${appA.id}`, {})).body;
    const asCustomer = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, access.token);
    const endpoints = (await asCustomer.get<{ data: Array<{ id: string; url: string }> }>(`/app/${appA.id}/endpoint`)).body.data;
    expect(endpoints.map((endpoint) => endpoint.url).sort()).toEqual([receiver.url('/down'), receiver.url('/orders')].sort());
    // The recovery of the test before may still be sending: the page and this test must read the
    // same figures, so wait until every message there is delivered and the counts hold still.
    const statsNow = async () => Promise.all(endpoints.map(async (endpoint) => (await asCustomer.get<{ success: number; fail: number }>(`/app/${appA.id}/endpoint/${endpoint.id}/stats`)).body));
    let counted: Awaited<ReturnType<typeof statsNow>> = [];
    await eventually(
      async () => {
        for (const endpoint of endpoints) {
          const log = (await asCustomer.get<{ data: Array<{ status: number }> }>(`/app/${appA.id}/endpoint/${endpoint.id}/msg`)).body.data;
          expect(log.map((message) => message.status).filter((status) => status !== 0)).toEqual([]);
        }
        const [before, now] = [counted, await statsNow()];
        counted = now;
        expect(now).toEqual(before);
      },
      30_000,
      1_000,
    );
    const customer = await browser.context.newPage();
    try {
      await customer.goto(access.url);
      await heading(customer, 'Endpoints').waitFor();
      const table = customer.getByRole('region', { name: 'Endpoints' });
      const rowOf = (url: string) => table.getByRole('row').filter({ has: customer.getByRole('link', { name: url, exact: true }) });
      // The rates are the stats API's, as the portal token itself reads them.
      for (const endpoint of endpoints) {
        const stats = await asCustomer.get<{ success: number; fail: number }>(`/app/${appA.id}/endpoint/${endpoint.id}/stats`);
        expect(stats.status).toBe(200);
        const { success, fail } = stats.body;
        expect(success).toBeGreaterThan(0);
        await rowOf(endpoint.url).getByText(new RegExp(`^\\d+ % \\(${success} of ${success + fail}\\)$`)).waitFor();
      }
      await rowOf(receiver.url('/orders')).getByText(/^100 %/).waitFor();
      await rowOf(receiver.url('/down')).getByText('Enabled', { exact: true }).waitFor();
      await screenshot(customer, 'portal-endpoints-state');

      await customer.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Messages' }).click();
      await heading(customer, 'Messages').waitFor();
      await customer.getByLabel('Sent to endpoint').selectOption({ label: receiver.url('/down') });
      await customer.getByLabel('Delivery status').selectOption({ label: 'Delivered' });
      await customer.getByRole('button', { name: 'Apply filters' }).click();
      const messages = customer.getByRole('region', { name: 'Messages' });
      // The recovered test event and the one sent with custom headers.
      await messages.getByRole('cell', { name: cancelled }).first().waitFor();
      await messages.getByText('Delivered', { exact: true }).first().waitFor();
      expect(await messages.getByText(created).count()).toBe(0);
      await screenshot(customer, 'portal-messages-by-status');
      await customer.getByLabel('Delivery status').selectOption({ label: 'Failed' });
      await customer.getByRole('button', { name: 'Apply filters' }).click();
      await customer.getByText('No message matches these filters.').waitFor();
      expect(await overflowsHorizontally(customer)).toBe(false);
    } finally {
      await customer.close();
    }
  });

  it("shows a FIFO endpoint's ordering key held by a failing message, and opens that message", async () => {
    // An application of its own: a held key keeps its messages pending, which application A's
    // stats and message log tests read.
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    const app = (await admin.post<{ id: string }>('/app', { name: `Portal held ${suffix}` })).body;
    const endpoint = (await admin.post<{ id: string }>(`/app/${app.id}/endpoint`, { url: receiver.url('/held'), eventTypes: [created], ordering: 'fifo' })).body;
    const key = `customer-${suffix}`;
    const first = (await admin.post<{ id: string }>(`/app/${app.id}/msg`, { eventType: created, payload: { order: 'first' }, orderingKey: key })).body;
    expect((await admin.post(`/app/${app.id}/msg`, { eventType: created, payload: { order: 'second' }, orderingKey: key })).status).toBe(202);
    // The receiver answers 410: the endpoint is disabled, which freezes the key until it is enabled.
    await eventually(async () => expect((await admin.get<{ disabled: boolean }>(`/app/${app.id}/endpoint/${endpoint.id}`)).body.disabled).toBe(true), 30_000);

    const customer = await browser.context.newPage();
    try {
      await customer.goto((await admin.post<{ url: string }>(`/auth/app-portal-access/${app.id}`, {})).body.url);
      await heading(customer, 'Endpoints').waitFor();
      await customer.getByRole('link', { name: receiver.url('/held'), exact: true }).click();
      await heading(customer, `Endpoint ${receiver.url('/held')}`).waitFor();
      const row = customer.getByRole('region', { name: 'Held ordering keys' }).getByRole('row').filter({ hasText: key });
      await row.waitFor({ timeout: 30_000 });
      await eventually(async () =>
        expect((await row.getByRole('cell').allTextContents()).map((text) => text.trim())).toEqual([key, first.id, expect.any(String), '1', 'None while the endpoint is disabled', '1']),
      );
      await screenshot(customer, 'portal-endpoint-held-keys');
      await row.getByRole('link', { name: first.id }).click();
      await heading(customer, `Message ${created}`).waitFor();
      expect(await customer.getByLabel('Message payload').textContent()).toBe(JSON.stringify({ order: 'first' }, null, 2));
    } finally {
      await customer.close();
    }
  });

  it('disables, enables and deletes an endpoint', async () => {
    await portal.getByRole('button', { name: 'Disable endpoint' }).click();
    await portal.getByText('Disabled', { exact: true }).waitFor();
    await portal.getByRole('button', { name: 'Enable endpoint' }).click();
    await portal.getByText('Enabled', { exact: true }).waitFor();
    await portal.getByRole('button', { name: 'Delete endpoint…' }).click();
    await portal.getByRole('button', { name: 'Delete', exact: true }).click();
    await heading(portal, 'Endpoints').waitFor();
    const endpoints = portal.getByRole('region', { name: 'Endpoints' });
    await endpoints.getByRole('link', { name: receiver.url('/orders') }).waitFor();
    expect(await endpoints.getByRole('link', { name: receiver.url('/down') }).count()).toBe(0);
    expect(await overflowsHorizontally(portal)).toBe(false);
  });

  it('offers no test event for an endpoint whose event types have no example', async () => {
    await portal.getByRole('link', { name: 'Add endpoint' }).click();
    await portal.getByLabel('Endpoint URL').fill(receiver.url('/plain'));
    await portal.getByRole('checkbox', { name: plain }).check();
    await portal.getByRole('button', { name: 'Create endpoint' }).click();
    await heading(portal, `Endpoint ${receiver.url('/plain')}`).waitFor();
    await portal.getByText('None of the event types this endpoint receives has an example payload to send.').waitFor();
    expect(await portal.getByRole('button', { name: 'Send test event' }).count()).toBe(0);
    await portal.getByRole('button', { name: 'Delete endpoint…' }).click();
    await portal.getByRole('button', { name: 'Delete', exact: true }).click();
    await heading(portal, 'Endpoints').waitFor();
  });

  it('shows only its application, and its token is refused on any other', async () => {
    // Nothing in the portal leads elsewhere: no list of applications, no operator pages.
    expect(await portal.getByRole('link', { name: /Applications|Dead letters|Access|Event types/ }).count()).toBe(0);
    expect(await portal.getByText(receiver.url('/b-only')).count()).toBe(0);

    const token = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, portalToken);
    // Its own application is reachable; the list of applications is not, not even filtered to it.
    expect((await token.get(`/app/${appA.id}`)).status).toBe(200);
    const listed = await token.get<{ code: string }>('/app');
    expect([listed.status, listed.body.code]).toEqual([403, 'forbidden']);
    // Another application's portal routes are not found; the routes a portal may not use are refused
    // before that, sending a message of its own too, even to its own application.
    for (const [method, path, status, code] of [
      ['GET', `/app/${appB.id}`, 404, 'not_found'],
      ['GET', `/app/${appB.id}/endpoint`, 404, 'not_found'],
      ['POST', `/app/${appB.id}/endpoint`, 404, 'not_found'],
      ['GET', `/app/${appB.id}/msg`, 404, 'not_found'],
      ['POST', `/app/${appB.id}/endpoint/${appBEndpoint}/send-example`, 404, 'not_found'],
      ['POST', `/app/${appB.id}/msg`, 403, 'forbidden'],
      ['POST', `/app/${appA.id}/msg`, 403, 'forbidden'],
      ['GET', `/app/${appB.id}/dead-letter`, 403, 'forbidden'],
    ] as const) {
      const bodies = { endpoint: { url: receiver.url('/stolen') }, 'send-example': { eventType: created }, msg: { eventType: created, payload: {} } };
      const body = method === 'POST' ? bodies[path.split('/').at(-1) as keyof typeof bodies] : undefined;
      const reply = await token.send<{ code: string }>(method, path, { json: body });
      expect([method, path, reply.status, reply.body.code]).toEqual([method, path, status, code]);
    }
    expect((await token.post('/app', { name: 'Mine now' })).status).toBe(403);
    expect((await token.post(`/app/${appA.id}/api-key`, { name: 'another' })).status).toBe(403);
    expect((await token.post(`/auth/app-portal-access/${appA.id}`, {})).status).toBe(403);

    // A link naming another application with this token shows the API's refusal and nothing of it.
    const other = await browser.context.newPage();
    await other.goto(`${ctx.pipeline.apiUrl}/portal/#app=${appB.id}&token=${portalToken}`);
    await other.getByRole('alert').filter({ hasText: 'This application could not be loaded' }).getByText('application not found').waitFor();
    await other.getByRole('alert').filter({ hasText: 'Could not load endpoints' }).getByText('application not found').waitFor();
    expect(await other.getByText(receiver.url('/b-only')).count()).toBe(0);
    await screenshot(other, 'portal-other-application');
    await other.close();
  });

  it('forgets the token on reload, and asks for a link without one', async () => {
    await portal.reload();
    await heading(portal, 'Webhooks').waitFor();
    await portal.getByText('This page opens from a link that your provider gives you').waitFor();
    await screenshot(portal, 'portal-no-access');
  });

  it('takes the brand colour and an https logo from the query, and refuses anything else', async () => {
    const access = new URL(portalUrl).hash;
    const page = await browser.context.newPage();
    const logo = 'https://127.0.0.1:9/logo.svg';
    await page.goto(`${ctx.pipeline.apiUrl}/portal/?brandColor=${encodeURIComponent('#aa0055')}&logo=${encodeURIComponent(logo)}${access}`);
    await heading(page, 'Endpoints').waitFor();
    expect(await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()")).toBe('#aa0055');
    expect(await page.locator('header img').getAttribute('src')).toBe(logo);
    await screenshot(page, 'portal-branded');

    await page.goto(`${ctx.pipeline.apiUrl}/portal/?brandColor=${encodeURIComponent('red;background:url(https://127.0.0.1:9/x)')}&logo=${encodeURIComponent('javascript:alert(1)')}${access}`);
    await heading(page, 'Endpoints').waitFor();
    expect(await page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()")).toBe('#0b6bcb');
    expect(await page.locator('img').count()).toBe(0);
    await page.close();
  });

  it("takes the brand from the application's metadata when the link's query gives none, the query winning", async () => {
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    const logo = 'https://127.0.0.1:9/shop-a.svg';
    expect((await admin.patch(`/app/${appA.id}`, { metadata: { brandColor: '#117a3d', logo } })).status).toBe(200);
    const brandOf = (page: Page) => page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()");
    const page = await browser.context.newPage();
    try {
      const { url } = (await admin.post<{ url: string }>(`/auth/app-portal-access/${appA.id}`, {})).body;
      await page.goto(url);
      await heading(page, 'Endpoints').waitFor();
      await page.locator('header img').waitFor({ state: 'attached' });
      expect(await page.locator('header img').getAttribute('src')).toBe(logo);
      expect(await brandOf(page)).toBe('#117a3d');
      await screenshot(page, 'portal-branded-by-metadata');

      const link = new URL((await admin.post<{ url: string }>(`/auth/app-portal-access/${appA.id}`, {})).body.url);
      link.search = `?brandColor=${encodeURIComponent('#aa0055')}`;
      await page.goto(link.href);
      await heading(page, 'Endpoints').waitFor();
      await page.locator('header img').waitFor({ state: 'attached' });
      expect(await brandOf(page)).toBe('#aa0055');
      expect(await page.locator('header img').getAttribute('src')).toBe(logo);
    } finally {
      await page.close();
      await admin.patch(`/app/${appA.id}`, { metadata: {} });
    }
  });

  it('works in a frame on a site HOOKLINE_PORTAL_FRAME_ANCESTORS allows, at 375 px, and the console refuses any frame', async () => {
    const site = await openPage(browser.chromium, { width: 375, height: 812 });
    try {
      const host = receiver.url('/host').replace('127.0.0.1', 'localhost');
      framed = portalUrl;
      await site.page.goto(host);
      const frame = site.page.frameLocator('iframe[title="Embedded"]');
      await frame.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
      await frame.getByRole('link', { name: receiver.url('/orders') }).waitFor();
      const inner = site.page.frames().find((candidate) => candidate.url().startsWith(`${ctx.pipeline.apiUrl}/portal/`))!;
      expect(await inner.evaluate('document.documentElement.scrollWidth <= window.innerWidth && window.innerWidth < 375')).toBe(true);
      expect(site.watch.cspViolations).toEqual([]);
      await screenshot(site.page, 'portal-framed');

      framed = `${ctx.pipeline.apiUrl}/console/`;
      await site.page.goto(host);
      await eventually(() => expect(site.watch.cspViolations.join('\n')).toContain("frame-ancestors 'none'"), 10_000, 100);
      expect(await site.page.frameLocator('iframe[title="Embedded"]').getByRole('heading', { name: 'Sign in' }).count()).toBe(0);
    } finally {
      await site.context.close();
    }
  });

  it("ends every portal session from the console: the links given out are refused from then on", async () => {
    const token = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, portalToken);
    expect((await token.get(`/app/${appA.id}`)).status).toBe(200);
    const operator = await browser.context.newPage();
    try {
      await operator.goto(`${ctx.pipeline.apiUrl}/console/app/${appA.id}/access`);
      await operator.getByLabel('Admin token or API key').fill(ctx.pipeline.adminToken);
      await operator.getByRole('button', { name: 'Sign in' }).click();
      await operator.getByRole('button', { name: 'End all portal sessions…' }).click();
      await operator.getByRole('button', { name: 'End sessions' }).click();
      await operator.getByText('Every portal session of this application has ended.').waitFor();
      await screenshot(operator, 'console-access-sessions-ended');
    } finally {
      await operator.close();
    }
    const refused = await token.get<{ code: string }>(`/app/${appA.id}`);
    expect([refused.status, refused.body.code]).toEqual([401, 'authentication_failed']);
  });

  it('opened no dialog, and raised no script error and no Content-Security-Policy violation', () => {
    expectCleanPages(browser.watch);
  });
});
