import { REJECTION_REASON_HEADER } from '@hookline/contracts';
import { OPERATIONAL_APPLICATION_ID } from '@hookline/database';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Svix } from 'svix';
import { type ApiClient, apiClient } from '../support/api-client.js';
import { eventually, isolatedDatabase, migrate } from '../support/env.js';
import { publish, readTopic } from '../support/kafka.js';
import { evenRetries, type Pipeline, settled, startPipeline } from '../support/pipeline.js';
import { type ReceivedRequest, Receiver } from '../support/receiver.js';

// Svix's operational webhooks: the operator registers endpoints through the svix SDK's
// operationalWebhook.endpoint, and each event arrives there, signed with that endpoint's own
// secret, after the action that causes it. A database of its own: operational endpoints belong
// to the installation, and every other test's endpoint changes would reach them.

interface OperationalWebhook {
  type: string;
  data: Record<string, unknown> & { lastAttempt?: { id: string; responseStatusCode: number; timestamp: string } };
}

describe('operational webhooks', () => {
  let pipeline: Pipeline;
  let svix: Svix;
  let admin: ApiClient;
  let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
  const receiver = new Receiver();
  const eventType = `ops.${randomUUID().slice(0, 8)}`;
  /** The operational endpoint that listens to every type, and its secret. */
  let everything: { id: string; secret: string };

  beforeAll(async () => {
    isolated = await isolatedDatabase('operational');
    await migrate(isolated.url);
    await receiver.start();
    // Six attempts 300 ms apart; a circuit that never opens, so every task is attempted on time.
    pipeline = await startPipeline('operational', { DATABASE_URL: isolated.url, ...evenRetries('300ms', 5), HOOKLINE_CIRCUIT_BREAKER_THRESHOLD: '100' });
    svix = new Svix(pipeline.adminToken, { serverUrl: pipeline.apiUrl });
    admin = apiClient(pipeline.apiUrl, pipeline.adminToken);
    await svix.eventType.create({ name: eventType, description: 'operational webhooks test' });
    const created = await svix.operationalWebhook.endpoint.create({ url: receiver.url('/ops/all'), description: 'every event' });
    everything = { id: created.id, secret: (await svix.operationalWebhook.endpoint.getSecret(created.id)).key };
  });

  afterAll(async () => {
    await pipeline?.stop();
    await receiver.stop();
    await isolated?.drop();
  });

  /** The webhooks an operational endpoint received at `path`, each verified with `secret` (throws if one is not). */
  const verified = (path: string, secret: string): Array<OperationalWebhook & { request: ReceivedRequest }> =>
    receiver.on(path).map((request) => ({ ...(new Webhook(secret).verify(request.body, request.headers as Record<string, string>) as OperationalWebhook), request }));

  /** Waits until the operational webhook of `type` matching `data` arrived, verified, at the every-event endpoint. */
  const arrives = (type: string, data: Record<string, unknown>, timeoutMs = 20_000) =>
    eventually(() => {
      const found = verified('/ops/all', everything.secret).find((webhook) => webhook.type === type && Object.entries(data).every(([key, value]) => webhook.data[key] === value));
      if (!found) throw new Error(`no ${type} with ${JSON.stringify(data)} yet; received ${JSON.stringify(receiver.on('/ops/all').map((request) => request.body))}`);
      return found;
    }, timeoutMs);

  it('manages operational endpoints with the svix SDK, for the admin token alone, apart from every tenant', async () => {
    const endpoints = svix.operationalWebhook.endpoint;
    const created = await endpoints.create({ url: receiver.url('/ops/crud'), uid: 'pager', eventTypes: ['endpoint.disabled'], metadata: { team: 'sre' }, headers: { 'x-team': 'sre' } });
    expect(created).toMatchObject({ url: receiver.url('/ops/crud'), uid: 'pager', eventTypes: ['endpoint.disabled'], disabled: false, metadata: { team: 'sre' }, description: '' });
    expect((await endpoints.get('pager')).id).toBe(created.id);
    expect((await endpoints.list({ limit: 250 })).data.map((endpoint) => endpoint.id)).toEqual(expect.arrayContaining([everything.id, created.id]));

    // Upsert replaces (what it leaves out takes its default, the uid stays) or creates with the path as uid.
    const replaced = await endpoints.upsert('pager', { url: receiver.url('/ops/crud2'), eventTypes: ['message.attempt.exhausted'] });
    expect(replaced).toMatchObject({ id: created.id, uid: 'pager', url: receiver.url('/ops/crud2'), metadata: {}, eventTypes: ['message.attempt.exhausted'] });
    const upserted = await endpoints.upsert('oncall', { url: receiver.url('/ops/crud3') });
    expect(upserted).toMatchObject({ uid: 'oncall', eventTypes: null });

    expect(await endpoints.getHeaders(created.id)).toEqual({ headers: { 'x-team': 'sre' }, sensitive: [] });
    await endpoints.setHeaders(created.id, { headers: { 'x-team': 'platform' } });
    expect((await endpoints.getHeaders(created.id)).headers).toEqual({ 'x-team': 'platform' });

    const before = (await endpoints.getSecret(created.id)).key;
    expect(before).toMatch(/^whsec_/);
    await endpoints.rotateSecret(created.id, {});
    expect((await endpoints.getSecret(created.id)).key).not.toBe(before);

    // Only operational event types; a bad field is named.
    const refused = await admin.post<{ detail: Array<{ loc: Array<string | number> }> }>('/api/v1/operational-webhook/endpoint', { url: receiver.url('/x'), eventTypes: ['invoice.paid'] });
    expect(refused.status).toBe(422);
    expect(refused.body.detail[0]!.loc).toEqual(['body', 'eventTypes', 0]);

    // An application's key reaches none of it.
    const app = await svix.application.create({ name: 'Tenant' });
    const key = (await admin.post<{ key: string }>(`/api/v1/app/${app.id}/api-key`, { name: 'tenant' })).body.key;
    const tenant = apiClient(pipeline.apiUrl, key);
    expect((await tenant.get('/api/v1/operational-webhook/endpoint')).status).toBe(403);
    expect((await tenant.post('/api/v1/operational-webhook/endpoint', { url: receiver.url('/x') })).status).toBe(403);
    expect((await tenant.get(`/api/v1/operational-webhook/endpoint/${created.id}/secret`)).status).toBe(403);

    // The operational application is no tenant: not listed, not found, not writable, even with the admin token.
    const apps = await admin.get<{ data: Array<{ id: string }> }>('/api/v1/app?limit=250');
    expect(apps.body.data.map((application) => application.id)).not.toContain(OPERATIONAL_APPLICATION_ID);
    for (const path of ['', '/endpoint', `/endpoint/${created.id}`, `/endpoint/${created.id}/secret`, '/msg']) {
      expect([path, (await admin.get(`/api/v1/app/${OPERATIONAL_APPLICATION_ID}${path}`)).status]).toEqual([path, 404]);
    }
    expect((await admin.post(`/api/v1/app/${OPERATIONAL_APPLICATION_ID}/msg`, { eventType: 'endpoint.disabled', payload: {} })).status).toBe(404);
    expect((await admin.post(`/api/v1/app/${OPERATIONAL_APPLICATION_ID}/api-key`, { name: 'sneaky' })).status).toBe(404);
    // Nor can a producer on Kafka publish into it.
    await publish(`${pipeline.env.HOOKLINE_TOPIC_PREFIX}.ingest`, [{ key: OPERATIONAL_APPLICATION_ID, value: JSON.stringify({ eventType: 'endpoint.disabled', payload: {} }) }]);
    await readTopic(
      `${pipeline.env.HOOKLINE_TOPIC_PREFIX}.ingest.rejected`,
      (message) => message.headers?.[REJECTION_REASON_HEADER]?.toString(),
      (reasons) => expect(reasons).toContain(`key: no application with id or uid "${OPERATIONAL_APPLICATION_ID}"`),
    );

    await endpoints.delete(upserted.id);
    await endpoints.delete(created.id);
    expect((await admin.get(`/api/v1/operational-webhook/endpoint/${created.id}`)).status).toBe(404);
  });

  it("reports a tenant endpoint's life: created, updated, disabled and enabled by hand, deleted", async () => {
    const app = await svix.application.create({ name: 'Lifecycle', uid: `life-${randomUUID().slice(0, 8)}` });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url('/tenant/life'), uid: 'billing', eventTypes: [eventType] });
    const ids = { appId: app.id, appUid: app.uid, endpointId: endpoint.id, endpointUid: 'billing' };

    const created = await arrives('endpoint.created', { endpointId: endpoint.id });
    expect(created.data).toEqual(ids);
    // Signed like any webhook: the operational message's id, stable across retries.
    expect(created.request.headers['webhook-id']).toEqual(expect.any(String));

    await svix.endpoint.patch(app.id, endpoint.id, { disabled: true });
    expect((await arrives('endpoint.disabled', { endpointId: endpoint.id })).data).toEqual({ ...ids, trigger: 'manual' });
    await svix.endpoint.patch(app.id, endpoint.id, { disabled: false });
    expect((await arrives('endpoint.enabled', { endpointId: endpoint.id })).data).toEqual(ids);
    await svix.endpoint.patch(app.id, endpoint.id, { description: 'renamed' });
    await eventually(() => expect(verified('/ops/all', everything.secret).filter((webhook) => webhook.type === 'endpoint.updated' && webhook.data.endpointId === endpoint.id)).toHaveLength(3));
    await svix.endpoint.delete(app.id, endpoint.id);
    expect((await arrives('endpoint.deleted', { endpointId: endpoint.id })).data).toEqual(ids);

    // Each arrived after the action that caused it, in order.
    const order = verified('/ops/all', everything.secret)
      .filter((webhook) => webhook.data.endpointId === endpoint.id)
      .map((webhook) => webhook.type);
    expect(order.indexOf('endpoint.created')).toBeLessThan(order.indexOf('endpoint.disabled'));
    expect(order.indexOf('endpoint.enabled')).toBeLessThan(order.indexOf('endpoint.deleted'));
  });

  it('reports a message failing on its fourth failed attempt, recovered when a later one succeeds, and exhausted when all failed', async () => {
    const onlyExhausted = await svix.operationalWebhook.endpoint.create({ url: receiver.url('/ops/exhausted'), eventTypes: ['message.attempt.exhausted'] });
    const onlyExhaustedSecret = (await svix.operationalWebhook.endpoint.getSecret(onlyExhausted.id)).key;
    const app = await svix.application.create({ name: 'Flaky' });
    const flaky = await svix.endpoint.create(app.id, { url: receiver.url('/tenant/flaky'), eventTypes: [eventType] });
    const broken = await svix.endpoint.create(app.id, { url: receiver.url('/tenant/broken'), eventTypes: [eventType] });
    // /tenant/flaky fails its first four requests, /tenant/broken every one.
    receiver.respond = (request) => {
      if (request.path === '/tenant/broken') return { status: 500 };
      if (request.path === '/tenant/flaky') return { status: receiver.on('/tenant/flaky').length <= 4 ? 503 : 200 };
      return { status: 200 };
    };
    const message = await svix.message.create(app.id, { eventType, eventId: `evt-${randomUUID()}`, payload: { n: 1 } });

    const failing = await arrives('message.attempt.failing', { endpointId: flaky.id });
    const recovered = await arrives('message.attempt.recovered', { endpointId: flaky.id });
    const exhausted = await arrives('message.attempt.exhausted', { endpointId: broken.id });
    expect(failing.data).toEqual({ appId: app.id, endpointId: flaky.id, msgId: message.id, msgEventId: message.eventId, lastAttempt: { id: expect.any(String), responseStatusCode: 503, timestamp: expect.any(String) } });
    expect(recovered.data).toMatchObject({ msgId: message.id, lastAttempt: { responseStatusCode: 200 } });
    expect(exhausted.data).toMatchObject({ msgId: message.id, endpointId: broken.id, lastAttempt: { responseStatusCode: 500 } });

    // Each names the attempt it is about, as the attempt listing shows it.
    const attempts = await svix.messageAttempt.listByMsg(app.id, message.id, { limit: 100 });
    const byId = new Map(attempts.data.map((attempt) => [attempt.id, attempt]));
    expect(byId.get(failing.data.lastAttempt!.id)).toMatchObject({ endpointId: flaky.id, responseStatusCode: 503 });
    expect(byId.get(recovered.data.lastAttempt!.id)).toMatchObject({ endpointId: flaky.id, responseStatusCode: 200 });
    expect(byId.get(exhausted.data.lastAttempt!.id)).toMatchObject({ endpointId: broken.id, responseStatusCode: 500 });
    expect(attempts.data.filter((attempt) => attempt.endpointId === broken.id)).toHaveLength(6);
    // The broken endpoint failed four times too: failing, but never recovered.
    const aboutBroken = verified('/ops/all', everything.secret).filter((webhook) => webhook.data.endpointId === broken.id && webhook.type.startsWith('message.'));
    expect(aboutBroken.map((webhook) => webhook.type).sort()).toEqual(['message.attempt.exhausted', 'message.attempt.failing']);

    // An endpoint subscribed to one type receives that type alone, signed with its own secret.
    await eventually(() => expect(verified('/ops/exhausted', onlyExhaustedSecret).map((webhook) => [webhook.type, webhook.data.endpointId])).toContainEqual(['message.attempt.exhausted', broken.id]));
    expect(new Set(verified('/ops/exhausted', onlyExhaustedSecret).map((webhook) => webhook.type))).toEqual(new Set(['message.attempt.exhausted']));
    expect(() => verified('/ops/exhausted', everything.secret)).toThrow();
    await svix.operationalWebhook.endpoint.delete(onlyExhausted.id);
  });

  it('reports an endpoint delivery disabled because it answered 410 Gone', async () => {
    const app = await svix.application.create({ name: 'Gone' });
    const gone = await svix.endpoint.create(app.id, { url: receiver.url('/tenant/gone'), uid: 'gone', eventTypes: [eventType] });
    receiver.respond = (request) => ({ status: request.path === '/tenant/gone' ? 410 : 200 });
    await svix.message.create(app.id, { eventType, payload: { n: 2 } });

    expect((await arrives('endpoint.disabled', { endpointId: gone.id })).data).toEqual({ appId: app.id, endpointId: gone.id, endpointUid: 'gone', trigger: 'automatic' });
    expect((await svix.endpoint.get(app.id, gone.id)).disabled).toBe(true);
  });

  it('retries an operational webhook its endpoint failed, and never reports on its own deliveries', async () => {
    const flakyOps = await svix.operationalWebhook.endpoint.create({ url: receiver.url('/ops/flaky'), eventTypes: ['endpoint.created'] });
    const secret = (await svix.operationalWebhook.endpoint.getSecret(flakyOps.id)).key;
    receiver.respond = (request) => ({ status: request.path === '/ops/flaky' && receiver.on('/ops/flaky').length <= 5 ? 500 : 200 });
    const app = await svix.application.create({ name: 'Retried' });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url('/tenant/retried'), eventTypes: [eventType] });

    // The same webhook again after each failure, until it is answered: same webhook-id, each signed.
    await eventually(() => {
      const webhooks = verified('/ops/flaky', secret).filter((webhook) => webhook.data.endpointId === endpoint.id);
      expect(webhooks.length).toBeGreaterThanOrEqual(2);
      expect(new Set(webhooks.map((webhook) => webhook.request.headers['webhook-id'])).size).toBe(1);
      expect(webhooks.at(-1)!.request.at).toBeGreaterThan(webhooks[0]!.request.at);
    });
    // Its failures (four and more) and its success at the sixth request raised no message.attempt.*
    // about the operational endpoint itself: once that request was made and the pipeline has handled
    // everything written since, such a report would have been delivered.
    await eventually(() => expect(receiver.on('/ops/flaky').length).toBeGreaterThanOrEqual(6));
    await settled(pipeline);
    expect(verified('/ops/all', everything.secret).filter((webhook) => webhook.data.endpointId === flakyOps.id)).toEqual([]);
    await svix.operationalWebhook.endpoint.delete(flakyOps.id);
  });
});
