import { randomUUID } from 'node:crypto';
import type { Locator } from 'playwright-core';
import { apiClient } from '../support/api-client.js';
import { expectCleanPages, openPage, overflowsHorizontally, requireBuiltConsole, screenshot, useBrowserPage } from '../support/browser.js';
import { eventually } from '../support/env.js';
import { settled, usePipeline } from '../support/pipeline.js';
import { useReceiver } from '../support/receiver.js';

/**
 * The operator console in Chromium against a whole Hookline (the four services in this process,
 * the shared Kafka and PostgreSQL) and a real receiver: everything is done by clicking and typing
 * what a person would, found by role and label.
 */
describe('operator console, in a browser', () => {
  const suffix = randomUUID().slice(0, 8);
  const paid = `browser.paid.${suffix}`;
  const failed = `browser.failed.${suffix}`;
  // Attempts 1 s apart and a 1.5 s window: the second failure is dead-lettered.
  const ctx = usePipeline('browser-console', { env: { HOOKLINE_RETRY_SCHEDULE: '1s,1s', HOOKLINE_RETRY_JITTER: '0', HOOKLINE_DEAD_LETTER_AFTER: '1500ms' } });
  const receiver = useReceiver();
  const browser = useBrowserPage();
  let fixed = false;

  beforeAll(async () => {
    await requireBuiltConsole(ctx.pipeline.apiUrl);
    receiver.respond = (request) => {
      if (request.path === '/flaky') return { status: fixed ? 200 : 503, body: fixed ? 'recovered' : 'down for maintenance' };
      if (request.path === '/broken') return { status: 500, body: 'broken for good' };
      if (request.path === '/gone' || request.path === '/held') return { status: 410, body: 'this hook is gone' };
      if (request.path === '/markup') return { status: 200, body: '<img src=x onerror="window.__xss=3">answer' };
      return { status: 200, body: 'thanks' };
    };
  });

  const console = (path = '') => `${ctx.pipeline.apiUrl}/console/${path}`;
  const heading = (name: string | RegExp) => browser.page.getByRole('heading', { level: 1, name });

  /** Clicks Refresh until the locator shows something: lists do not poll, a person refreshes. */
  async function refreshUntilVisible(locator: Locator) {
    await eventually(async () => {
      if (!(await locator.first().isVisible())) {
        await browser.page.getByRole('button', { name: 'Refresh' }).click();
        await locator.first().waitFor({ timeout: 1_000 });
      }
    }, 30_000, 250);
  }

  /** Adds an endpoint from the page a person opens with Add endpoint, subscribed to one event type, and lands on its page. */
  async function addEndpoint(url: string, eventType: string) {
    await browser.page.goto(`${appUrl}/endpoints/new`);
    await browser.page.getByLabel('Endpoint URL').fill(url);
    await browser.page.getByRole('checkbox', { name: eventType }).check();
    await browser.page.getByRole('button', { name: 'Create endpoint' }).click();
    await heading(`Endpoint ${url}`).waitFor();
  }

  let appUrl: string;
  let okEndpointUrl: string;
  let flakyEndpointUrl: string;

  it('refuses a wrong token in the API words, then signs in with the admin token', async () => {
    await browser.page.goto(console());
    await heading('Sign in').waitFor();
    await screenshot(browser.page, 'console-sign-in');
    await browser.page.getByLabel('Admin token or API key').fill('not-a-token');
    await browser.page.getByRole('button', { name: 'Sign in' }).click();
    await browser.page.getByRole('alert').getByText('invalid token').waitFor();

    await browser.page.getByLabel('Admin token or API key').fill(ctx.pipeline.adminToken);
    await browser.page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Applications').waitFor();
    // The token is in the tab's session storage, never in the address.
    expect(browser.page.url()).not.toContain(ctx.pipeline.adminToken);
    expect(await browser.page.evaluate("sessionStorage.getItem('hookline.console.token')")).toBe(ctx.pipeline.adminToken);
  });

  it('adds event types to the catalogue', async () => {
    await browser.page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Event types' }).click();
    await heading('Event types').waitFor();
    for (const [name, description] of [
      [paid, 'An order was paid'],
      [failed, 'A payment failed'],
    ]) {
      await browser.page.getByLabel('Name').fill(name!);
      await browser.page.getByLabel('Description').fill(description!);
      await browser.page.getByRole('button', { name: 'Create event type' }).click();
      await browser.page.getByRole('heading', { level: 2, name }).waitFor();
    }
    await screenshot(browser.page, 'console-event-types');
  });

  it("shows an event type's schema example, as text, when a person opens it", async () => {
    const documented = `browser.documented.${suffix}`;
    const example = { order: 7, note: '<b>not bold</b>' };
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    const schemas = { '1': { type: 'object', properties: { order: { type: 'integer' } }, examples: [example] } };
    expect((await admin.post('/event-type', { name: documented, description: 'Documented with a schema', schemas })).status).toBe(201);
    await browser.page.reload();
    await heading('Event types').waitFor();
    const card = browser.page.getByRole('listitem').filter({ has: browser.page.getByRole('heading', { level: 2, name: documented }) });
    await card.getByText('Documented with a schema').waitFor();
    const shown = browser.page.getByRole('region', { name: `Example payload of ${documented}` });
    expect(await shown.isVisible()).toBe(false);
    await card.getByText('Example payload').click();
    await shown.waitFor();
    // Pretty-printed as the catalogue keeps it (PostgreSQL orders an object's keys its own way).
    const text = (await shown.textContent())!;
    expect(JSON.parse(text)).toEqual(example);
    expect(text).toContain('  "note": "<b>not bold</b>"');
    expect(await card.locator('b').count()).toBe(0);
    // The types without a schema offer no example.
    const plain = browser.page.getByRole('listitem').filter({ has: browser.page.getByRole('heading', { level: 2, name: paid }) });
    expect(await plain.getByText('Example payload').count()).toBe(0);
    await screenshot(browser.page, 'console-event-type-example');
  });

  it('creates an application and an endpoint pointing at the receiver', async () => {
    await browser.page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Applications' }).click();
    await browser.page.getByLabel('Name').fill(`Browser shop ${suffix}`);
    await browser.page.getByRole('button', { name: 'Create application' }).click();
    await heading('Endpoints').waitFor();
    await browser.page.getByText(`Browser shop ${suffix}`).waitFor();
    appUrl = browser.page.url();
    await browser.page.getByText('No endpoints yet').waitFor();

    // The list finds it by a part of its name, and says so when nothing matches.
    await browser.page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Applications' }).click();
    const search = browser.page.getByLabel('Search applications');
    await search.fill('no application is called this');
    await browser.page.getByText('No application matches.').waitFor();
    await search.fill(`shop ${suffix}`);
    const applications = browser.page.getByRole('region', { name: 'Applications' });
    await applications.getByRole('link', { name: `Browser shop ${suffix}` }).waitFor();
    expect(await applications.getByRole('row').count()).toBe(2);
    await screenshot(browser.page, 'console-applications');
    await applications.getByRole('link', { name: `Browser shop ${suffix}` }).click();
    await heading('Endpoints').waitFor();

    okEndpointUrl = receiver.url('/ok');
    await browser.page.getByRole('link', { name: 'Add endpoint' }).click();
    await heading('Add endpoint').waitFor();
    await browser.page.getByLabel('Endpoint URL').fill(okEndpointUrl);
    await browser.page.getByLabel('Description').fill('Order system');
    await browser.page.getByRole('checkbox', { name: paid }).check();
    await screenshot(browser.page, 'console-add-endpoint');
    await browser.page.getByRole('button', { name: 'Create endpoint' }).click();
    await heading(`Endpoint ${okEndpointUrl}`).waitFor();
    await browser.page.getByText('Enabled', { exact: true }).waitFor();
  });

  it('sends a test event and sees its attempt appear', async () => {
    await browser.page.getByRole('button', { name: 'Send test event' }).click();
    const attempts = browser.page.getByRole('region', { name: 'Attempts of the test event' });
    await attempts.getByText('Succeeded').waitFor({ timeout: 30_000 });
    await attempts.getByRole('cell', { name: '200' }).waitFor();
    await attempts.getByText('thanks').waitFor();
    await attempts.getByRole('cell', { name: 'Scheduled' }).waitFor();
    expect(receiver.on('/ok')).toHaveLength(1);
    expect(JSON.parse(receiver.on('/ok')[0]!.body)).toEqual({ test: true, sentFrom: 'Hookline' });
    // Times are in the viewer's zone (Europe/Paris here), the UTC instant on hover.
    expect(await attempts.locator('time').first().getAttribute('title')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} UTC$/);
    await screenshot(browser.page, 'console-endpoint');
  });

  it('shows a payload and a response holding markup as text, and never runs them', async () => {
    const markupUrl = receiver.url('/markup');
    await addEndpoint(markupUrl, paid);

    const script = `<script>window.__xss=1;alert('script')</script>`;
    const image = `<img src=x onerror="window.__xss=2;alert('img')">`;
    await browser.page.getByLabel('Payload (JSON)').fill(JSON.stringify({ note: script, avatar: image }));
    await browser.page.getByRole('button', { name: 'Send test event' }).click();
    await browser.page.getByRole('region', { name: 'Attempts of the test event' }).getByText('Succeeded').waitFor({ timeout: 30_000 });
    await browser.page.getByText('Sent message').getByRole('link').click();

    await heading(`Message ${paid}`).waitFor();
    const payload = browser.page.getByLabel('Message payload');
    expect(await payload.textContent()).toContain(`"note": "${script}"`);
    expect(await payload.textContent()).toContain(image.replace(/"/g, '\\"'));
    const response = browser.page.getByRole('region', { name: `Attempts to ${markupUrl}` });
    await response.getByText('<img src=x onerror="window.__xss=3">answer').waitFor();
    await screenshot(browser.page, 'console-message-markup');

    expect(await browser.page.locator('main script, main img, main iframe').count()).toBe(0);
    expect(await browser.page.evaluate('typeof window.__xss')).toBe('undefined');
    expect(browser.watch.dialogs).toEqual([]);
  });

  it('dead-letters a delivery the receiver keeps failing, and replays it from the console', async () => {
    flakyEndpointUrl = receiver.url('/flaky');
    await addEndpoint(flakyEndpointUrl, failed);
    await browser.page.getByRole('button', { name: 'Send test event' }).click();
    const sent = browser.page.getByText('Sent message').getByRole('link');
    const msgId = (await sent.textContent())!;
    // The first failed attempt's answer; by then the second (1 s later) may be listed too.
    await browser.page.getByRole('region', { name: 'Attempts of the test event' }).getByText('down for maintenance').first().waitFor({ timeout: 30_000 });

    await browser.page.getByRole('navigation', { name: 'Application' }).getByRole('link', { name: 'Dead letters' }).click();
    await heading('Dead letters').waitFor();
    const row = browser.page.getByRole('checkbox', { name: `Select message ${msgId} to ${flakyEndpointUrl}` });
    await refreshUntilVisible(row);
    expect(receiver.on('/flaky')).toHaveLength(2);
    // Filtered to another endpoint, it is not there.
    await browser.page.getByLabel('Endpoint').selectOption({ label: okEndpointUrl });
    await browser.page.getByRole('button', { name: 'Apply filters' }).click();
    await browser.page.getByText('No dead letters match these filters.').waitFor();
    await browser.page.getByLabel('Endpoint').selectOption({ label: flakyEndpointUrl });
    await browser.page.getByRole('button', { name: 'Apply filters' }).click();
    await row.check();
    await screenshot(browser.page, 'console-dead-letters');

    fixed = true;
    await browser.page.getByRole('button', { name: 'Replay selected (1)' }).click();
    await browser.page.getByText('Replayed 1 delivery with a fresh retry schedule.').waitFor();
    await browser.page.getByText('No dead letters match these filters.').waitFor();

    await browser.page.getByRole('navigation', { name: 'Application' }).getByRole('link', { name: 'Messages' }).click();
    await browser.page.getByLabel('Event id or message id').fill(msgId);
    await browser.page.getByRole('button', { name: 'Find' }).click();
    await heading(`Message ${failed}`).waitFor();
    const attempts = browser.page.getByRole('region', { name: `Attempts to ${flakyEndpointUrl}` });
    await attempts.getByText('Succeeded').waitFor({ timeout: 30_000 });
    await attempts.getByRole('cell', { name: 'Manual' }).waitFor();
    expect(await attempts.getByRole('row').count()).toBe(1 + 3);
    expect(receiver.on('/flaky')).toHaveLength(3);
    await screenshot(browser.page, 'console-message-replayed');
  });

  it('resends one message to one endpoint', async () => {
    await browser.page.getByRole('button', { name: `Resend to ${flakyEndpointUrl}` }).click();
    await browser.page.getByText('Sent again: the new attempt appears here.').waitFor();
    const attempts = browser.page.getByRole('region', { name: `Attempts to ${flakyEndpointUrl}` });
    await eventually(async () => expect(await attempts.getByRole('row').count()).toBe(1 + 4), 30_000, 250);
    expect(receiver.on('/flaky')).toHaveLength(4);
    // The other endpoints got nothing more: the test event and the markup one went to /ok before.
    expect(receiver.on('/ok')).toHaveLength(2);
  });

  it('recovers an endpoint since a time, disables and enables it, and rotates its secret', async () => {
    await browser.page.getByRole('link', { name: flakyEndpointUrl }).click();
    await heading(`Endpoint ${flakyEndpointUrl}`).waitFor();
    await browser.page.getByRole('button', { name: 'Recover' }).click();
    await browser.page.getByText('Every message that failed on this endpoint since then is being sent again.').waitFor();

    await browser.page.getByRole('button', { name: 'Disable endpoint' }).click();
    await browser.page.getByText('Disabled', { exact: true }).waitFor();
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    const endpointId = browser.page.url().split('/').at(-1)!;
    const appId = appUrl.split('/').at(-1)!;
    expect((await admin.get(`/app/${appId}/endpoint/${endpointId}`)).body).toMatchObject({ disabled: true });
    await browser.page.getByRole('button', { name: 'Enable endpoint' }).click();
    await browser.page.getByText('Enabled', { exact: true }).waitFor();

    await browser.page.getByRole('button', { name: 'Reveal secret' }).click();
    const secret = browser.page.getByLabel('Current secret');
    await secret.waitFor();
    const before = await secret.inputValue();
    expect(before).toMatch(/^whsec_/);
    await browser.page.getByRole('button', { name: 'Rotate secret…' }).click();
    await browser.page.getByRole('button', { name: 'Rotate', exact: true }).click();
    await browser.page.getByText('The secret was rotated: the new one is shown above.').waitFor();
    await eventually(async () => expect(await secret.inputValue()).not.toBe(before), 10_000, 100);
    expect((await admin.get(`/app/${appId}/endpoint/${endpointId}/secret`)).body).toEqual({ key: await secret.inputValue() });
  });

  it('filters messages by event type and finds one by its event id', async () => {
    const appId = appUrl.split('/').at(-1)!;
    // A producer's message, with its own event id.
    const producer = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    expect((await producer.post(`/app/${appId}/msg`, { eventType: paid, eventId: `order-${suffix}`, payload: { order: 42 } })).status).toBe(202);

    await browser.page.goto(`${appUrl}/messages`);
    await heading('Messages').waitFor();
    const table = browser.page.getByRole('region', { name: 'Messages' });
    await refreshUntilVisible(table.getByText(`order-${suffix}`));
    await browser.page.getByLabel('Event type').fill(failed);
    await browser.page.getByRole('button', { name: 'Apply filters' }).click();
    await eventually(async () => expect(await table.getByRole('row').count()).toBe(1 + 1), 10_000, 100);
    await table.getByText(failed).waitFor();
    expect(browser.page.url()).toContain(`eventType=${failed}`);
    await screenshot(browser.page, 'console-messages');

    await browser.page.getByLabel('Event id or message id').fill(`order-${suffix}`);
    await browser.page.getByRole('button', { name: 'Find' }).click();
    await heading(`Message ${paid}`).waitFor();
    expect(await browser.page.getByLabel('Message payload').textContent()).toBe(JSON.stringify({ order: 42 }, null, 2));

    await browser.page.getByRole('link', { name: '← Messages' }).click();
    await browser.page.getByLabel('Event id or message id').fill('no-such-event');
    await browser.page.getByRole('button', { name: 'Find' }).click();
    await browser.page.getByRole('alert').getByText('message not found').waitFor();
  });

  it("edits an endpoint's payload filter and delivery order: refused in the API's words, then saved, shown and applied", async () => {
    await browser.page.goto(appUrl);
    await browser.page.getByRole('link', { name: okEndpointUrl }).click();
    await heading(`Endpoint ${okEndpointUrl}`).waitFor();
    await browser.page.getByText('None: every payload').waitFor();
    await browser.page.getByRole('button', { name: 'Edit endpoint' }).click();
    const filterBox = browser.page.getByLabel('Payload filter (JSON)');
    await filterBox.fill('{"order": ');
    await browser.page.getByRole('button', { name: 'Save changes' }).click();
    await browser.page.getByRole('alert').getByText(/^The payload filter is not valid JSON/).waitFor();
    await filterBox.fill('{"order": {"$gt": [1]}}');
    await browser.page.getByRole('button', { name: 'Save changes' }).click();
    await browser.page.getByRole('alert').getByText('body.filter.order.$gt: expects a number or string').waitFor();
    await screenshot(browser.page, 'console-endpoint-filter-refused');

    const filter = { order: { $gt: 100 } };
    await filterBox.fill(JSON.stringify(filter));
    await browser.page.getByLabel('Delivery order').selectOption('fifo');
    await browser.page.getByRole('button', { name: 'Save changes' }).click();
    await browser.page.getByText('The endpoint was saved.').waitFor();
    expect(await browser.page.getByRole('region', { name: 'Payload filter' }).textContent()).toBe(JSON.stringify(filter, null, 2));
    const appId = appUrl.split('/').at(-1)!;
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    const endpointId = browser.page.url().split('/').at(-1)!;
    await browser.page.getByText('In order per ordering key (FIFO)').waitFor();
    await browser.page.getByText('No ordering key is held.').waitFor();
    expect((await admin.get(`/app/${appId}/endpoint/${endpointId}`)).body).toMatchObject({ filter, ordering: 'fifo' });

    const before = receiver.on('/ok').length;
    for (const order of [42, 420]) expect((await admin.post(`/app/${appId}/msg`, { eventType: paid, payload: { order } })).status).toBe(202);
    await eventually(() => expect(receiver.on('/ok').slice(before).map((request) => JSON.parse(request.body))).toEqual([{ order: 420 }]));
    // Order 42 the filter keeps out: not sent once the pipeline has handled everything.
    await settled(ctx.pipeline);
    expect(receiver.on('/ok').slice(before).map((request) => JSON.parse(request.body))).toEqual([{ order: 420 }]);
  });

  it("shows a FIFO endpoint's ordering key held by a failing message, what waits behind it, and links to that message", async () => {
    // An application of its own: the held key keeps a message pending, which the endpoint list's test would wait on.
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    const app = (await admin.post<{ id: string }>('/app', { name: `Held ${suffix}` })).body;
    const endpoint = (await admin.post<{ id: string }>(`/app/${app.id}/endpoint`, { url: receiver.url('/held'), eventTypes: [paid], ordering: 'fifo' })).body;
    const key = `customer-${suffix}`;
    const first = (await admin.post<{ id: string }>(`/app/${app.id}/msg`, { eventType: paid, payload: { order: 1 }, orderingKey: key })).body;
    expect((await admin.post(`/app/${app.id}/msg`, { eventType: paid, payload: { order: 2 }, orderingKey: key })).status).toBe(202);
    // The receiver answers 410: the endpoint is disabled, which freezes the key until it is enabled.
    await eventually(async () => expect((await admin.get<{ disabled: boolean }>(`/app/${app.id}/endpoint/${endpoint.id}`)).body.disabled).toBe(true), 30_000);

    await browser.page.goto(console(`app/${app.id}/endpoints/${endpoint.id}`));
    await heading(`Endpoint ${receiver.url('/held')}`).waitFor();
    const held = browser.page.getByRole('region', { name: 'Held ordering keys' });
    const row = held.getByRole('row').filter({ hasText: key });
    await row.waitFor({ timeout: 30_000 });
    await eventually(async () =>
      expect((await row.getByRole('cell').allTextContents()).map((text) => text.trim())).toEqual([key, first.id, expect.any(String), '1', 'None while the endpoint is disabled', '1']),
    );
    await screenshot(browser.page, 'console-endpoint-held-keys');
    await row.getByRole('link', { name: first.id }).click();
    await heading(`Message ${paid}`).waitFor();
    expect(await browser.page.getByLabel('Message payload').textContent()).toBe(JSON.stringify({ order: 1 }, null, 2));
  });

  it("expunges a message's payload from its page, after asking, and shows what the API answers for it since", async () => {
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    const app = (await admin.post<{ id: string }>('/app', { name: `Expunge ${suffix}` })).body;
    const message = (await admin.post<{ id: string }>(`/app/${app.id}/msg`, { eventType: paid, payload: { card: '4242 4242 4242 4242' } })).body;
    await browser.page.goto(console(`app/${app.id}/messages/${message.id}`));
    await heading(`Message ${paid}`).waitFor();
    expect(await browser.page.getByLabel('Message payload').textContent()).toContain('4242 4242 4242 4242');
    await browser.page.getByRole('button', { name: 'Expunge content…' }).click();
    await browser.page.getByText("Remove this message's payload for good?").waitFor();
    await browser.page.getByRole('button', { name: 'Expunge', exact: true }).click();
    await browser.page.getByText('The payload was expunged.').waitFor();
    await eventually(async () => expect(await browser.page.getByLabel('Message payload').textContent()).toBe(JSON.stringify({ expired: true }, null, 2)));
    await screenshot(browser.page, 'console-message-expunged');
    expect((await admin.get<{ payload: unknown }>(`/app/${app.id}/msg/${message.id}?with_content=true`)).body.payload).toEqual({ expired: true });
  });

  it('creates an operational endpoint for two events, reveals its secret and deletes it', async () => {
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    await browser.page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Operational webhooks' }).click();
    await heading('Operational webhooks').waitFor();
    const opsUrl = receiver.url(`/ops-${suffix}`);
    await browser.page.getByLabel('Endpoint URL').fill(opsUrl);
    await browser.page.getByLabel('Description').fill('Our on-call');
    // The types come from the API's own document.
    for (const type of ['endpoint.disabled', 'message.attempt.exhausted']) await browser.page.getByRole('checkbox', { name: type }).check();
    await browser.page.getByRole('button', { name: 'Create operational endpoint' }).click();
    const table = browser.page.getByRole('region', { name: 'Operational endpoints' });
    const row = table.getByRole('row').filter({ hasText: opsUrl });
    await row.getByText('endpoint.disabled, message.attempt.exhausted').waitFor();
    const created = (await admin.get<{ data: Array<{ id: string; url: string; description: string; eventTypes: string[] }> }>('/operational-webhook/endpoint')).body.data.find((endpoint) => endpoint.url === opsUrl)!;
    expect(created).toMatchObject({ description: 'Our on-call', eventTypes: ['endpoint.disabled', 'message.attempt.exhausted'] });

    await row.getByRole('button', { name: `Reveal the secret of ${opsUrl}` }).click();
    const { key } = (await admin.get<{ key: string }>(`/operational-webhook/endpoint/${created.id}/secret`)).body;
    await row.getByText(key).waitFor();
    await screenshot(browser.page, 'console-operational-webhooks');

    await row.getByRole('button', { name: `Delete ${opsUrl}` }).click();
    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    await eventually(async () => expect(await table.getByText(opsUrl).count()).toBe(0));
    expect((await admin.get(`/operational-webhook/endpoint/${created.id}`)).status).toBe(404);
  });

  it('shows the installation overview as the stats API counts it, refreshed on its own', async () => {
    await browser.page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Overview' }).click();
    await heading('Overview').waitFor();
    const figure = (term: string) => browser.page.locator('dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    // The page polls every 5 s; deliveries of the tests above may still be settling: the page and
    // the API agree once a refresh of the page and a read of the API see the same rows.
    await eventually(async () => {
      const overview = (
        await admin.get<{ until: string; buckets: Array<{ start: string; delivered: number; failed: number }>; successRate: number; deadLetters: number; retryTiers: Array<{ topic: string; waiting: number | null }> }>('/stats/overview')
      ).body;
      const attempts = overview.buckets.reduce((sum, bucket) => sum + bucket.delivered + bucket.failed, 0);
      expect(attempts).toBeGreaterThan(0);
      // Deliveries per minute: the last whole one-minute bucket's successes.
      const lastWhole = overview.buckets.filter((bucket) => Date.parse(bucket.start) + 60_000 <= Date.parse(overview.until)).at(-1);
      expect([await figure('Attempts').textContent(), await figure('Dead letters').textContent(), await figure('Success rate').textContent(), await figure('Deliveries per minute').textContent()]).toEqual([
        String(attempts),
        String(overview.deadLetters),
        `${(overview.successRate * 100).toFixed(1)}%`,
        String(lastWhole?.delivered ?? '–'),
      ]);
      expect(overview.retryTiers.map((tier) => tier.topic)).toEqual([`${ctx.pipeline.env.HOOKLINE_TOPIC_PREFIX}.retry.1s`]);
    }, 30_000, 500);
    const tiers = browser.page.getByRole('region', { name: 'Retry tiers' });
    await tiers.getByRole('cell', { name: `${ctx.pipeline.env.HOOKLINE_TOPIC_PREFIX}.retry.1s` }).waitFor();
    expect(await browser.page.getByRole('region', { name: 'Attempts per bucket' }).getByRole('row').count()).toBeGreaterThan(1);
    await screenshot(browser.page, 'console-overview');
  });

  let goneEndpointUrl: string;

  it('lists each endpoint with its state (disabled and why, failing since) and its success rate from the stats API', async () => {
    goneEndpointUrl = receiver.url('/gone');
    await addEndpoint(goneEndpointUrl, failed);
    await browser.page.getByRole('button', { name: 'Send test event' }).click();
    await browser.page.getByRole('region', { name: 'Attempts of the test event' }).getByText('this hook is gone').waitFor({ timeout: 30_000 });

    const appId = appUrl.split('/').at(-1)!;
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    type Listed = { id: string; url: string; disabled: boolean; disabledReason: string | null; failingSince: string | null };
    const listed = async () => (await admin.get<{ data: Listed[] }>(`/app/${appId}/endpoint?limit=250`)).body.data;
    // A 410 Gone disables the endpoint at once; its failing run is recorded with the attempt.
    await eventually(async () => expect((await listed()).find((endpoint) => endpoint.url === goneEndpointUrl)).toMatchObject({ disabled: true, disabledReason: 'the endpoint answered 410 Gone', failingSince: expect.any(String) }), 30_000, 250);
    // An earlier test's retries may still be going: the page and the checks below must read the same
    // figures, so the page is opened once nothing waits for an attempt and the counts hold still.
    const statsOf = async (endpointId: string) => (await admin.get<{ success: number; fail: number; pending: number }>(`/app/${appId}/endpoint/${endpointId}/stats`)).body;
    const allStats = async () => Promise.all((await listed()).map((endpoint) => statsOf(endpoint.id)));
    let counted: Awaited<ReturnType<typeof allStats>> = [];
    await eventually(
      async () => {
        const [before, now] = [counted, await allStats()];
        counted = now;
        expect(now.map((stats) => stats.pending)).toEqual(now.map(() => 0));
        expect(now).toEqual(before);
      },
      60_000,
      1_000,
    );

    await browser.page.getByRole('navigation', { name: 'Application' }).getByRole('link', { name: 'Endpoints' }).click();
    await heading('Endpoints').waitFor();
    const table = browser.page.getByRole('region', { name: 'Endpoints' });
    const rowOf = (url: string) => table.getByRole('row').filter({ has: browser.page.getByRole('link', { name: url, exact: true }) });
    const gone = rowOf(goneEndpointUrl);
    await gone.getByText('Disabled', { exact: true }).waitFor();
    await gone.getByText('Why: the endpoint answered 410 Gone').waitFor();
    await gone.getByText('Failing', { exact: true }).waitFor();
    const failingSince = (await listed()).find((endpoint) => endpoint.url === goneEndpointUrl)!.failingSince!;
    expect(await gone.locator('time').getAttribute('datetime')).toBe(failingSince);
    await gone.getByText('0 % (0 of 1)').waitFor();

    // Every row's rate is the stats API's: attempts of the last 24 hours that succeeded.
    for (const endpoint of await listed()) {
      const stats = await statsOf(endpoint.id);
      const total = stats.success + stats.fail;
      const row = rowOf(endpoint.url);
      if (total === 0) await row.getByText('No attempts').waitFor();
      else await row.getByText(new RegExp(`^\\d+ % \\(${stats.success} of ${total}\\)$`)).waitFor();
      if (!endpoint.disabled) {
        await row.getByText('Enabled', { exact: true }).waitFor();
        expect(await row.getByText(/^Why:/).count()).toBe(0);
      }
    }
    await rowOf(okEndpointUrl).getByText(/^100 % \(\d+ of \d+\)$/).waitFor();
    await screenshot(browser.page, 'console-endpoints-state');

    // Disabled through the console, it says so; enabled again, the reason is gone.
    await browser.page.getByRole('link', { name: okEndpointUrl, exact: true }).click();
    await heading(`Endpoint ${okEndpointUrl}`).waitFor();
    await browser.page.getByRole('button', { name: 'Disable endpoint' }).click();
    await browser.page.getByText('Why: disabled through the API').waitFor();
    await browser.page.getByRole('button', { name: 'Enable endpoint' }).click();
    await browser.page.getByText('Enabled', { exact: true }).waitFor();
    expect(await browser.page.getByText(/^Why:/).count()).toBe(0);
  });

  it('shows an endpoint whose circuit is open, in the list and on its page, and a change closes it', async () => {
    const broken = `browser.broken.${suffix}`;
    const brokenUrl = receiver.url('/broken');
    const appId = appUrl.split('/').at(-1)!;
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    expect((await admin.post('/event-type', { name: broken, description: 'Only the broken endpoint takes it' })).status).toBe(201);
    await addEndpoint(brokenUrl, broken);
    const endpointId = browser.page.url().split('/').at(-1)!;
    // Three test events, two attempts each: the 5th failure in a row (HOOKLINE_CIRCUIT_BREAKER_THRESHOLD) opens the circuit.
    let previous = '';
    for (let sent = 0; sent < 3; sent += 1) {
      await browser.page.getByRole('button', { name: 'Send test event' }).click();
      const link = browser.page.getByText('Sent message').getByRole('link');
      await eventually(async () => expect(await link.textContent()).not.toBe(previous), 10_000, 50);
      previous = (await link.textContent())!;
    }
    const stats = async () => (await admin.get<{ fail: number; circuitOpen: boolean }>(`/app/${appId}/endpoint/${endpointId}/stats`)).body;
    await eventually(async () => expect(await stats()).toMatchObject({ circuitOpen: true }), 30_000, 250);
    expect((await stats()).fail).toBeGreaterThanOrEqual(5);

    // A person reloads the page: the state says so, and so does the list.
    await browser.page.reload();
    await heading(`Endpoint ${brokenUrl}`).waitFor();
    await browser.page.getByText('Circuit open', { exact: true }).waitFor();
    await browser.page.getByRole('navigation', { name: 'Application' }).getByRole('link', { name: 'Endpoints' }).click();
    await heading('Endpoints').waitFor();
    const table = browser.page.getByRole('region', { name: 'Endpoints' });
    const row = table.getByRole('row').filter({ has: browser.page.getByRole('link', { name: brokenUrl, exact: true }) });
    await row.getByText('Circuit open', { exact: true }).waitFor();
    await row.getByText(/^0 % \(0 of \d+\)$/).waitFor();
    // Only that endpoint's circuit is open.
    expect(await table.getByText('Circuit open', { exact: true }).count()).toBe(1);
    await screenshot(browser.page, 'console-endpoints-circuit-open');

    // Disabled and enabled again, the endpoint starts afresh: its circuit is closed.
    await row.getByRole('link', { name: brokenUrl, exact: true }).click();
    await heading(`Endpoint ${brokenUrl}`).waitFor();
    await browser.page.getByRole('button', { name: 'Disable endpoint' }).click();
    await browser.page.getByRole('button', { name: 'Enable endpoint' }).click();
    await browser.page.getByText('Enabled', { exact: true }).waitFor();
    await eventually(async () => expect(await browser.page.getByText('Circuit open', { exact: true }).count()).toBe(0), 10_000, 100);
    expect(await stats()).toMatchObject({ circuitOpen: false });
  });

  it('filters the message log by the endpoint a message was sent to and its delivery status there', async () => {
    await browser.page.getByRole('navigation', { name: 'Application' }).getByRole('link', { name: 'Messages' }).click();
    await heading('Messages').waitFor();
    const status = browser.page.getByLabel('Delivery status');
    // A status is an endpoint's: none can be chosen before the endpoint.
    expect(await status.isDisabled()).toBe(true);
    await browser.page.getByLabel('Sent to endpoint').selectOption({ label: goneEndpointUrl });
    await status.selectOption({ label: 'Failed' });
    await browser.page.getByRole('button', { name: 'Apply filters' }).click();
    const table = browser.page.getByRole('region', { name: 'Messages' });
    await eventually(async () => expect(await table.getByRole('row').count()).toBe(1 + 1), 10_000, 100);
    await table.getByRole('cell', { name: failed }).waitFor();
    await table.getByText('Failed', { exact: true }).waitFor();
    expect(browser.page.url()).toContain('status=2');
    await screenshot(browser.page, 'console-messages-by-status');

    await status.selectOption({ label: 'Delivered' });
    await browser.page.getByRole('button', { name: 'Apply filters' }).click();
    await browser.page.getByText('No message matches these filters.').waitFor();

    // The flaky endpoint's message was replayed and delivered: listed as such, with no failed one left.
    await browser.page.getByLabel('Sent to endpoint').selectOption({ label: flakyEndpointUrl });
    await browser.page.getByRole('button', { name: 'Apply filters' }).click();
    await table.getByText('Delivered', { exact: true }).first().waitFor();
    expect(await table.getByText('Failed', { exact: true }).count()).toBe(0);
    await status.selectOption({ label: 'Failed' });
    await browser.page.getByRole('button', { name: 'Apply filters' }).click();
    await browser.page.getByText('No message matches these filters.').waitFor();

    await browser.page.getByRole('button', { name: 'Clear' }).click();
    await eventually(async () => expect(await status.isDisabled()).toBe(true), 5_000, 100);
    expect(browser.page.url()).not.toContain('status=');
  });

  it('works by keyboard and at 375 px wide', async () => {
    const phone = await openPage(browser.chromium, { width: 375, height: 812 });
    try {
      const small = phone.page;
      await small.goto(`${appUrl}`);
      await small.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await small.keyboard.press('Tab');
      expect(await small.evaluate('document.activeElement.textContent')).toBe('Skip to content');
      await small.getByLabel('Admin token or API key').focus();
      await small.keyboard.type(ctx.pipeline.adminToken);
      await small.keyboard.press('Enter');
      // The deep link survives the sign-in.
      await small.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
      expect(await overflowsHorizontally(small)).toBe(false);
      await screenshot(small, 'console-375-endpoints');
      await small.getByRole('link', { name: flakyEndpointUrl }).click();
      await small.getByRole('heading', { level: 1, name: `Endpoint ${flakyEndpointUrl}` }).waitFor();
      await small.getByRole('region', { name: 'Attempts to this endpoint' }).getByText('Manual').first().waitFor();
      expect(await overflowsHorizontally(small)).toBe(false);
      await screenshot(small, 'console-375-endpoint');

      // The message log's delivery filter, by keyboard alone, at 375 px.
      await small.goto(`${appUrl}/messages`);
      await small.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
      await small.getByLabel('Sent to endpoint').selectOption({ label: goneEndpointUrl });
      await small.getByLabel('Sent to endpoint').focus();
      await small.keyboard.press('Tab');
      expect(await small.evaluate('document.activeElement.id')).toBe(await small.getByLabel('Delivery status').getAttribute('id'));
      for (let step = 0; step < 3; step += 1) await small.keyboard.press('ArrowDown');
      expect(await small.getByLabel('Delivery status').inputValue()).toBe('2');
      await small.keyboard.press('Tab');
      expect(await small.evaluate('document.activeElement.textContent')).toBe('Apply filters');
      await small.keyboard.press('Enter');
      await small.getByRole('region', { name: 'Messages' }).getByText('Failed', { exact: true }).waitFor();
      expect(await overflowsHorizontally(small)).toBe(false);
      await screenshot(small, 'console-375-messages-by-status');
      expectCleanPages(phone.watch);
    } finally {
      await phone.context.close();
    }
  });

  it('replays every dead letter the filters match at once', async () => {
    const batchUrl = receiver.url('/batch');
    let recovered = false;
    const answer = receiver.respond;
    receiver.respond = (request) => (request.path === '/batch' ? { status: recovered ? 200 : 503, body: recovered ? 'recovered' : 'batch down' } : answer(request));
    await addEndpoint(batchUrl, failed);
    const sent = browser.page.getByText('Sent message').getByRole('link');
    const msgIds: string[] = [];
    for (let n = 0; n < 2; n += 1) {
      await browser.page.getByRole('button', { name: 'Send test event' }).click();
      await eventually(async () => expect(msgIds).not.toContain(await sent.textContent()), 10_000);
      msgIds.push((await sent.textContent())!);
    }

    await browser.page.getByRole('navigation', { name: 'Application' }).getByRole('link', { name: 'Dead letters' }).click();
    await heading('Dead letters').waitFor();
    await browser.page.getByLabel('Endpoint').selectOption({ label: batchUrl });
    await browser.page.getByRole('button', { name: 'Apply filters' }).click();
    for (const msgId of msgIds) await refreshUntilVisible(browser.page.getByRole('checkbox', { name: `Select message ${msgId} to ${batchUrl}` }));

    recovered = true;
    await browser.page.getByRole('button', { name: 'Replay all matching the filters' }).click();
    await browser.page.getByText('Replayed 2 deliveries with a fresh retry schedule.').waitFor();
    await browser.page.getByText('No dead letters match these filters.').waitFor();
    // Two failed attempts each, then the replay's success; nothing of the other endpoints' dead letters.
    await eventually(() => expect(receiver.on('/batch').map((request) => request.headers['webhook-id'])).toHaveLength(6), 30_000);
    expect(new Set(receiver.on('/batch').map((request) => request.headers['webhook-id']))).toEqual(new Set(msgIds));
  });

  it('pages a long message log with the API iterator, one page more per click', async () => {
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    const app = await admin.post<{ id: string }>('/app', { name: `Busy shop ${suffix}` });
    expect(app.status).toBe(201);
    for (let n = 0; n < 51; n += 1) expect((await admin.post(`/app/${app.body.id}/msg`, { eventType: paid, payload: { n } })).status).toBe(202);
    await browser.page.goto(console(`app/${app.body.id}/messages`));
    await heading('Messages').waitFor();
    const rows = browser.page.getByRole('region', { name: 'Messages' }).getByRole('row');
    await eventually(async () => expect(await rows.count()).toBe(1 + 50));
    await browser.page.getByRole('button', { name: 'Load more messages' }).click();
    await eventually(async () => expect(await rows.count()).toBe(1 + 51));
    expect(await browser.page.getByRole('button', { name: 'Load more messages' }).count()).toBe(0);
  });

  it('filters the message log by channel and by time, in the viewer\'s zone', async () => {
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    const app = await admin.post<{ id: string }>('/app', { name: `Channel shop ${suffix}` });
    expect(app.status).toBe(201);
    const send = async (n: number, channel: string) => expect((await admin.post(`/app/${app.body.id}/msg`, { eventType: paid, eventId: `ch-${n}-${suffix}`, channels: [channel], payload: { n } })).status).toBe(202);
    await send(1, 'eu');
    await send(2, 'us');
    // Message timestamps are to the millisecond, the field to the second: a clear second apart.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await send(3, 'eu');

    await browser.page.goto(console(`app/${app.body.id}/messages`));
    await heading('Messages').waitFor();
    const messages = browser.page.getByRole('region', { name: 'Messages' });
    const eventIds = async () => (await messages.getByRole('row').allTextContents()).flatMap((row) => row.match(/ch-\d/g) ?? []).sort();
    await eventually(async () => expect(await eventIds()).toEqual(['ch-1', 'ch-2', 'ch-3']));
    await browser.page.getByLabel('Channel').fill('eu');
    await browser.page.getByRole('button', { name: 'Apply filters' }).click();
    await eventually(async () => expect(await eventIds()).toEqual(['ch-1', 'ch-3']));
    // The browser runs in Europe/Paris: the field takes that zone's wall-clock time.
    const local = between.toLocaleString('sv-SE', { timeZone: 'Europe/Paris' }).replace(' ', 'T');
    await browser.page.getByLabel('After').fill(local);
    await browser.page.getByRole('button', { name: 'Apply filters' }).click();
    await eventually(async () => expect(await eventIds()).toEqual(['ch-3']));
    await browser.page.getByLabel('Channel').fill('us');
    await browser.page.getByRole('button', { name: 'Apply filters' }).click();
    await browser.page.getByText('No message matches these filters.').waitFor();
  });

  it('says what it is loading while the API has not answered, then shows it', async () => {
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    // The message log's request is held until the page has been seen waiting for it.
    await browser.page.route(/\/api\/v1\/app\/[^/]+\/msg\?/, async (route) => {
      await held;
      await route.continue();
    });
    try {
      await browser.page.goto(`${appUrl}/messages`);
      await browser.page.getByRole('status').getByText('Loading messages…').waitFor();
      answer();
      await browser.page.getByRole('region', { name: 'Messages' }).getByRole('link').first().waitFor();
      expect(await browser.page.getByText('Loading messages…').count()).toBe(0);
    } finally {
      answer();
      await browser.page.unrouteAll();
    }
  });

  it('creates an API key on the Access page, lists it without the key, and revokes it so that it is refused at once', async () => {
    const appId = new URL(appUrl).pathname.split('/').at(-1)!;
    await browser.page.goto(`${appUrl}/access`);
    await heading('Access').waitFor();
    const name = `ops ${suffix}`;
    await browser.page.getByLabel('Key name').fill(name);
    await browser.page.getByRole('button', { name: 'Create API key' }).click();
    const key = await browser.page.getByLabel('API key', { exact: true }).inputValue();
    const withKey = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, key);
    expect((await withKey.get(`/app/${appId}`)).status).toBe(200);

    const keys = browser.page.getByRole('table', { name: 'API keys' });
    const row = keys.getByRole('row').filter({ hasText: name });
    await row.getByText('Active').waitFor();
    expect(await keys.innerText()).not.toContain(key);
    await screenshot(browser.page, 'console-api-keys');

    await row.getByRole('button', { name: `Revoke ${name}…` }).click();
    await row.getByRole('button', { name: 'Revoke key' }).click();
    await row.getByText('Revoked').waitFor();
    expect(await row.getByRole('button').count()).toBe(0);
    expect((await withKey.get(`/app/${appId}`)).status).toBe(401);
  });

  it("signs out, then signs in with an application's API key, which lists that application only", async () => {
    const appId = new URL(appUrl).pathname.split('/').at(-1)!;
    const admin = apiClient(`${ctx.pipeline.apiUrl}/api/v1`, ctx.pipeline.adminToken);
    const created = await admin.post<{ key: string }>(`/app/${appId}/api-key`, { name: 'console sign-in' });
    expect(created.status).toBe(201);
    await browser.page.goto(console());
    await browser.page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
    expect(await browser.page.evaluate("sessionStorage.getItem('hookline.console.token')")).toBeNull();

    await browser.page.getByLabel('Admin token or API key').fill(created.body.key);
    await browser.page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Applications').waitFor();
    const applications = browser.page.getByRole('region', { name: 'Applications' });
    await applications.getByRole('link', { name: `Browser shop ${suffix}` }).waitFor();
    // Other tests' applications share the database; the key sees none of them.
    expect(await applications.getByRole('row').count()).toBe(2);
    expect(browser.page.url()).not.toContain(created.body.key);
  });

  it('opened no dialog, and raised no script error and no Content-Security-Policy violation', () => {
    expectCleanPages(browser.watch);
  });
});
