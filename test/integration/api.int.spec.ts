import { TOO_DEEP_MESSAGE, UNPAIRED_SURROGATE_MESSAGE } from '@hookline/contracts';
import { randomUUID } from 'node:crypto';
import { ApiException, Ordering, Svix } from 'svix';
import { DataSource } from 'typeorm';
import { type ApiClient, apiClient, documentedOperations, type Reply } from '../support/api-client.js';
import { eventually, requireStack } from '../support/env.js';
import { publish } from '../support/kafka.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';
import { Receiver } from '../support/receiver.js';
import { startServiceProcess, waitReady } from '../support/service-process.js';

// The REST API through the real stack: all four services in-process, the shared Kafka and
// PostgreSQL, real HTTP. The tests' API client where exact status codes and error bodies matter; the
// official svix SDK where it shows that the SDK works against Hookline unchanged.

type Json = Record<string, unknown>;
interface ListOut<T> {
  data: T[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}
interface AppOut {
  id: string;
  uid: string | null;
  name: string;
}
interface EndpointOut {
  id: string;
  uid: string | null;
  url: string;
  description: string;
}
interface MessageOut {
  id: string;
  eventId: string | null;
  eventType: string;
  payload: Json;
}
interface AttemptOut {
  id: string;
  msgId: string;
  endpointId: string;
}
interface ErrorOut {
  code: string;
  detail: string;
}
interface ValidationOut {
  detail: Array<{ loc: Array<string | number>; msg: string; type: string }>;
}

const short = () => randomUUID().slice(0, 8);

/** Every page of a listing, following `iterator` until `done`. */
async function listAll<T>(api: ApiClient, path: string, limit: number): Promise<{ items: T[]; pages: ListOut<T>[] }> {
  const pages: ListOut<T>[] = [];
  let iterator: string | null = null;
  for (;;) {
    const separator = path.includes('?') ? '&' : '?';
    const reply: Reply<ListOut<T>> = await api.get<ListOut<T>>(`${path}${separator}limit=${limit}${iterator ? `&iterator=${iterator}` : ''}`);
    expect(reply.status).toBe(200);
    pages.push(reply.body);
    if (reply.body.done) break;
    expect(reply.body.iterator).toEqual(expect.any(String));
    iterator = reply.body.iterator;
    if (pages.length > 50) throw new Error(`${path}: more than 50 pages`);
  }
  return { items: pages.flatMap((page) => page.data), pages };
}

const notFoundBody = { code: 'not_found', detail: expect.any(String) };
const forbiddenBody = { code: 'forbidden', detail: expect.any(String) };
const locs = (reply: Reply<ValidationOut>) => reply.body.detail.map((problem) => problem.loc);

describe('the REST API through the real stack', () => {
  let pipeline: Pipeline;
  let receiver: Receiver;
  let admin: ApiClient;
  let adminSdk: Svix;
  let db: DataSource;
  const eventType = `order.shipped.${short()}`;

  interface Tenant {
    app: AppOut;
    key: string;
    api: ApiClient;
    sdk: Svix;
  }

  /** An application created with the admin token, and an API key of its own. */
  async function tenant(name: string): Promise<Tenant> {
    const created = await admin.post<AppOut>('/api/v1/app', { name, uid: `${name.toLowerCase()}-${short()}` });
    expect(created.status).toBe(201);
    const key = await admin.post<{ id: string; key: string; name: string }>(`/api/v1/app/${created.body.id}/api-key`, { name: `${name} key` });
    expect(key.status).toBe(201);
    expect(key.body.key).toMatch(/^hk_/);
    return { app: created.body, key: key.body.key, api: apiClient(pipeline.apiUrl, key.body.key), sdk: new Svix(key.body.key, { serverUrl: pipeline.apiUrl }) };
  }

  beforeAll(async () => {
    pipeline = await startPipeline('api');
    receiver = await new Receiver().start();
    admin = apiClient(pipeline.apiUrl, pipeline.adminToken);
    adminSdk = new Svix(pipeline.adminToken, { serverUrl: pipeline.apiUrl });
    db = await new DataSource({ type: 'postgres', url: requireStack().databaseUrl }).initialize();
    await adminSdk.eventType.create({ name: eventType, description: 'An order left the warehouse' });
  });

  afterAll(async () => {
    await db?.destroy();
    await pipeline?.stop();
    await receiver?.stop();
  });

  describe('tenant isolation', () => {
    let a: Tenant;
    let b: Tenant;
    let endpointB: EndpointOut;
    let messageB: MessageOut;
    let secretB: string;

    beforeAll(async () => {
      a = await tenant('Alpha');
      b = await tenant('Bravo');
      const endpoint = await b.api.post<EndpointOut>(`/api/v1/app/${b.app.id}/endpoint`, { url: receiver.url('/bravo'), uid: `bravo-ep-${short()}`, description: 'Bravo endpoint' });
      expect(endpoint.status).toBe(201);
      endpointB = endpoint.body;
      secretB = (await b.api.get<{ key: string }>(`/api/v1/app/${b.app.id}/endpoint/${endpointB.id}/secret`)).body.key;
      const message = await b.api.post<MessageOut>(`/api/v1/app/${b.app.id}/msg`, { eventType, payload: { order: 'b-1' }, eventId: `bravo-evt-${short()}` });
      expect(message.status).toBe(202);
      messageB = message.body;
      // B's message is delivered, so B has attempts that A must never see.
      await eventually(async () => {
        const attempts = await admin.get<ListOut<AttemptOut>>(`/api/v1/app/${b.app.id}/attempt/msg/${messageB.id}`);
        expect(attempts.body.data).toHaveLength(1);
      });
    });

    it('answers 401 with {code, detail} to a missing, malformed, unknown or revoked token', async () => {
      const path = `/api/v1/app/${a.app.id}`;
      const expected = { status: 401, body: { code: 'authentication_failed', detail: expect.any(String) } };
      const pick = ({ status, body }: Reply<unknown>) => ({ status, body });
      expect(pick(await apiClient(pipeline.apiUrl, null).get(path))).toEqual(expected);
      expect(pick(await apiClient(pipeline.apiUrl, null).send('GET', path, { headers: { authorization: `Basic ${a.key}` } }))).toEqual(expected);
      expect(pick(await apiClient(pipeline.apiUrl, `hk_${short()}unknown`).get(path))).toEqual(expected);
      expect(pick(await apiClient(pipeline.apiUrl, `${pipeline.adminToken}x`).get(path))).toEqual(expected);

      // A second key of A, revoked before its first use: refused, while A's other key still works.
      const second = await admin.post<{ id: string; key: string }>(`/api/v1/app/${a.app.id}/api-key`, { name: 'to revoke' });
      expect(second.status).toBe(201);
      await db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [second.body.id]);
      expect(pick(await apiClient(pipeline.apiUrl, second.body.key).get(path))).toEqual(expected);
      expect((await a.api.get(path)).status).toBe(200);

      // The key is shown once and stored only as a hash.
      const [row] = (await db.query('SELECT key_hash FROM api_keys WHERE id = $1', [second.body.id])) as Array<{ key_hash: string }>;
      expect(row!.key_hash).not.toContain(second.body.key);
      expect(row!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('has a revoked API key refused at once by every ingest instance, not only the one that revoked it', async () => {
      const path = `/api/v1/app/${a.app.id}`;
      const key = await admin.post<{ id: string; key: string }>(`/api/v1/app/${a.app.id}/api-key`, { name: 'revoked everywhere' });
      const here = apiClient(pipeline.apiUrl, key.body.key);
      expect((await here.get(path)).status).toBe(200); // used, so cached by this instance
      // A second ingest instance (the built service, its own process) that has the key cached too.
      const other = await startServiceProcess('ingest', pipeline.env);
      try {
        await waitReady(other, 60_000);
        const there = apiClient(`http://127.0.0.1:${other.healthPort}`, key.body.key);
        expect((await there.get(path)).status).toBe(200);

        const revokedAt = Date.now();
        expect((await admin.delete(`/api/v1/app/${a.app.id}/api-key/${key.body.id}`)).status).toBe(204);
        expect((await here.get(path)).status).toBe(401);
        // The other instance hears of it (a PostgreSQL notification), well before its 30 s cache of it would expire.
        await eventually(async () => expect((await there.get(path)).status).toBe(401), 15_000);
        expect(Date.now() - revokedAt).toBeLessThan(20_000);
        expect((await a.api.get(path)).status).toBe(200);
      } finally {
        other.process.kill('SIGTERM');
        await other.exited;
      }
    });

    it("gives A's key a 404 and A's portal token a 404 or 403, never data, for every read and write of B's application, endpoints, messages and attempts", async () => {
      const appB = `/api/v1/app/${b.app.id}`;
      const appA = `/api/v1/app/${a.app.id}`;
      const endpointBody = { url: receiver.url('/stolen'), description: 'stolen' };
      const attemptB = (await admin.get<ListOut<AttemptOut>>(`${appB}/attempt/msg/${messageB.id}`)).body.data[0]!.id;
      type Request = [method: string, path: string, json?: unknown];
      /** Every request that names B's endpoint or message, under the given application's path. */
      const namingBsResources = (app: string): Request[] => [
        ['GET', `${app}/endpoint/${endpointB.id}`],
        ['GET', `${app}/endpoint/${endpointB.uid}`],
        ['PUT', `${app}/endpoint/${endpointB.id}`, endpointBody],
        ['PATCH', `${app}/endpoint/${endpointB.id}`, { description: 'stolen' }],
        ['GET', `${app}/endpoint/${endpointB.id}/secret`],
        ['DELETE', `${app}/endpoint/${endpointB.id}`],
        ['GET', `${app}/msg/${messageB.id}`],
        ['GET', `${app}/msg/${messageB.eventId}`],
        ['GET', `${app}/attempt/msg/${messageB.id}`],
        ['GET', `${app}/attempt/endpoint/${endpointB.id}`],
        ['GET', `${app}/endpoint/${endpointB.id}/headers`],
        ['PUT', `${app}/endpoint/${endpointB.id}/headers`, { headers: { 'X-Stolen': '1' } }],
        ['PATCH', `${app}/endpoint/${endpointB.id}/headers`, { headers: { 'X-Stolen': '1' } }],
        ['POST', `${app}/endpoint/${endpointB.id}/send-example`, { eventType }],
        ['GET', `${app}/endpoint/${endpointB.id}/msg`],
        ['GET', `${app}/msg/${messageB.id}/endpoint`],
        ['GET', `${app}/msg/${messageB.id}/attempt/${randomUUID()}`],
        ['GET', `${app}/msg/${messageB.id}/attempt`],
        ['GET', `${app}/msg/${messageB.id}/endpoint/${endpointB.id}/attempt`],
        ['GET', `${app}/msg/${messageB.id}/trace`],
        ['GET', `${app}/endpoint/${endpointB.id}/stats`],
        ['POST', `${app}/endpoint/${endpointB.id}/secret/rotate`, {}],
        ['POST', `${app}/endpoint/${endpointB.id}/verify`],
        ['GET', `${app}/endpoint/${endpointB.id}/ordering`],
        ['POST', `${app}/endpoint/${endpointB.id}/recover`, { since: new Date(Date.now() - 3_600_000).toISOString() }],
        ['POST', `${app}/msg/${messageB.id}/endpoint/${endpointB.id}/resend`],
        ['DELETE', `${app}/msg/${messageB.id}/attempt/${attemptB}/content`],
        ['DELETE', `${app}/msg/${messageB.id}/content`],
      ];
      const requests: Request[] = [
        ['GET', appB],
        ['GET', `/api/v1/app/${b.app.uid}`],
        ['PUT', appB, { name: 'stolen' }],
        ['PATCH', appB, { name: 'stolen' }],
        ['GET', `${appB}/endpoint`],
        ['POST', `${appB}/endpoint`, endpointBody],
        ['POST', `${appB}/msg`, { eventType, payload: { from: 'alpha' } }],
        ['POST', `${appB}/msg`, { eventType, payload: { from: 'alpha' }, application: { name: 'stolen' } }],
        ['GET', `${appB}/msg`],
        ['POST', `${appB}/msg/precheck/active`, { eventType }],
        ['GET', `${appB}/stats`],
        ['GET', `/api/v1/stats/app/${b.app.id}/attempt`],
        ['GET', `${appB}/dead-letter`],
        ['POST', `${appB}/dead-letter/replay`, {}],
        ...namingBsResources(appB),
        ['POST', `/api/v1/auth/app-portal-access/${b.app.id}`, {}],
        ['POST', `/api/v1/auth/dashboard-access/${b.app.id}`],
        ['POST', `/api/v1/auth/app/${b.app.id}/expire-all`, {}],
        // B's ids under A's own application path.
        ...namingBsResources(appA),
      ];
      for (const [method, path, json] of requests) {
        const reply = await a.api.send(method, path, { json });
        expect({ request: `${method} ${path}`, status: reply.status, body: reply.body }).toEqual({ request: `${method} ${path}`, status: 404, body: notFoundBody });
      }
      // A's app-portal token, which reaches less of A than A's key, is refused them too: 404 where a
      // portal may act on its own application, 403 where only a key or the admin token may.
      const portalA = apiClient(pipeline.apiUrl, (await admin.post<{ token: string }>(`/api/v1/auth/app-portal-access/${a.app.id}`, {})).body.token);
      for (const [method, path, json] of requests) {
        const reply = await portalA.send(method, path, { json });
        const expected = reply.status === 403 ? { status: 403, body: forbiddenBody } : { status: 404, body: notFoundBody };
        expect({ request: `${method} ${path}`, status: reply.status, body: reply.body }).toEqual({ request: `${method} ${path}`, ...expected });
      }
      // Every documented operation on an application is among them, so that a new route cannot miss
      // this check; the admin token's alone are refused with 403 (the next test, and api-access).
      const adminOnly = ['POST /api/v1/app/{app_id}/api-key', 'GET /api/v1/app/{app_id}/api-key', 'DELETE /api/v1/app/{app_id}/api-key/{key_id}', 'DELETE /api/v1/app/{app_id}'];
      const unchecked = (await documentedOperations(admin))
        .filter((operation) => operation.includes('{app_id}') && !adminOnly.includes(operation))
        .filter((operation) => {
          const [method, template] = operation.split(' ') as [string, string];
          const path = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
          return !requests.some(([sent, at]) => sent === method && path.test(at));
        });
      expect(unchecked).toEqual([]);

      // The answer for B is the answer for an application that does not exist: no existence oracle.
      const missing = await a.api.get(`/api/v1/app/${randomUUID()}`);
      expect((await a.api.get(appB)).body).toEqual(missing.body);
      const missingEndpoint = await a.api.get(`${appA}/endpoint/${randomUUID()}`);
      expect((await a.api.get(`${appA}/endpoint/${endpointB.id}`)).body).toEqual(missingEndpoint.body);

      // Through the svix SDK too.
      await expect(a.sdk.endpoint.get(b.app.id, endpointB.id)).rejects.toMatchObject({ code: 404 });
      await expect(a.sdk.message.create(b.app.id, { eventType, payload: {} })).rejects.toBeInstanceOf(ApiException);

      // Nothing of B changed, and no application was created by the message with `application`.
      const stillB = await admin.get<AppOut>(appB);
      expect(stillB.body).toMatchObject({ id: b.app.id, name: 'Bravo', uid: b.app.uid });
      const endpoints = await admin.get<ListOut<EndpointOut>>(`${appB}/endpoint`);
      expect(endpoints.body.data).toEqual([expect.objectContaining({ id: endpointB.id, url: receiver.url('/bravo'), description: 'Bravo endpoint' })]);
      expect((await admin.get<{ key: string }>(`${appB}/endpoint/${endpointB.id}/secret`)).body.key).toBe(secretB);
      const messages = await admin.get<ListOut<MessageOut>>(`${appB}/msg`);
      expect(messages.body.data.map((message) => message.id)).toEqual([messageB.id]);
      expect(receiver.on('/stolen')).toHaveLength(0);
      const stolenApps = (await db.query("SELECT count(*)::int AS n FROM applications WHERE name = 'stolen'")) as Array<{ n: number }>;
      expect(stolenApps[0]!.n).toBe(0);
    });

    it("lists only A's own application to A's key, and both to the admin token", async () => {
      const { items } = await listAll<AppOut>(a.api, '/api/v1/app', 1);
      expect(items.map((app) => app.id)).toEqual([a.app.id]);
      const viaSdk = await a.sdk.application.list();
      expect(viaSdk.data.map((app) => app.id)).toEqual([a.app.id]);

      // Newest first: both were created moments ago.
      const all = await admin.get<ListOut<AppOut>>('/api/v1/app?order=descending&limit=250');
      expect(all.status).toBe(200);
      expect(all.body.data.map((app) => app.id)).toEqual(expect.arrayContaining([a.app.id, b.app.id]));
      expect((await admin.get<AppOut>(`/api/v1/app/${b.app.id}`)).body.id).toBe(b.app.id);
      expect((await admin.get<AppOut>(`/api/v1/app/${a.app.id}`)).body.id).toBe(a.app.id);
      const attempts = await admin.get<ListOut<AttemptOut>>(`/api/v1/app/${b.app.id}/attempt/endpoint/${endpointB.id}`);
      expect(attempts.body.data).toEqual([expect.objectContaining({ msgId: messageB.id, endpointId: endpointB.id })]);
    });

    it("refuses admin-only operations to A's key with 403, on A, on B and on unknown ids alike", async () => {
      const requests: Array<[string, string, unknown?]> = [
        ['POST', '/api/v1/app', { name: 'by-alpha' }],
        ['POST', `/api/v1/app/${a.app.id}/api-key`, { name: 'by-alpha' }],
        ['POST', `/api/v1/app/${b.app.id}/api-key`, { name: 'by-alpha' }],
        ['POST', `/api/v1/app/${randomUUID()}/api-key`, { name: 'by-alpha' }],
        ['DELETE', `/api/v1/app/${a.app.id}`],
        ['DELETE', `/api/v1/app/${b.app.id}`],
        ['DELETE', `/api/v1/app/${randomUUID()}`],
        ['POST', '/api/v1/event-type', { name: `by-alpha.${short()}`, description: 'x' }],
        ['PATCH', `/api/v1/event-type/${eventType}`, { description: 'changed by alpha' }],
        ['PUT', `/api/v1/event-type/${eventType}`, { description: 'changed by alpha' }],
        ['DELETE', `/api/v1/event-type/${eventType}`],
        ['GET', '/api/v1/stats/overview'],
        ['GET', '/api/v1/operational-webhook/endpoint'],
        ['POST', '/api/v1/operational-webhook/endpoint', { url: receiver.url('/by-alpha') }],
        ['GET', `/api/v1/operational-webhook/endpoint/${randomUUID()}/secret`],
      ];
      for (const [method, path, json] of requests) {
        const reply = await a.api.send(method, path, { json });
        expect({ request: `${method} ${path}`, status: reply.status, body: reply.body }).toEqual({ request: `${method} ${path}`, status: 403, body: forbiddenBody });
      }
      await expect(a.sdk.eventType.create({ name: `by-alpha.${short()}`, description: 'x' })).rejects.toMatchObject({ code: 403 });

      // Nothing happened: both applications live, the event type is unchanged and not archived.
      expect((await admin.get(`/api/v1/app/${a.app.id}`)).status).toBe(200);
      expect((await admin.get(`/api/v1/app/${b.app.id}`)).status).toBe(200);
      expect((await a.api.get(`/api/v1/event-type/${eventType}`)).body).toMatchObject({ name: eventType, description: 'An order left the warehouse', archived: false });
      const keys = (await db.query("SELECT count(*)::int AS n FROM api_keys WHERE name = 'by-alpha'")) as Array<{ n: number }>;
      expect(keys[0]!.n).toBe(0);
    });

    it("lets A's key do everything on A, through the svix SDK", async () => {
      const sdk = a.sdk;
      expect((await sdk.application.get(a.app.id)).name).toBe('Alpha');
      expect((await sdk.application.get(a.app.uid!)).id).toBe(a.app.id);
      expect((await sdk.application.patch(a.app.id, { metadata: { tier: 'gold' } })).metadata).toEqual({ tier: 'gold' });
      expect((await a.api.put<AppOut>(`/api/v1/app/${a.app.id}`, { name: 'Alpha', uid: a.app.uid })).status).toBe(200);
      expect((await sdk.eventType.get(eventType)).name).toBe(eventType);
      expect((await sdk.eventType.list({ limit: 250 })).data.map((type) => type.name)).toContain(eventType);

      const endpoint = await sdk.endpoint.create(a.app.id, { url: receiver.url('/alpha'), eventTypes: [eventType], uid: `alpha-ep-${short()}` });
      expect((await sdk.endpoint.get(a.app.id, endpoint.id)).url).toBe(receiver.url('/alpha'));
      expect((await sdk.endpoint.list(a.app.id)).data.map((item) => item.id)).toEqual([endpoint.id]);
      expect((await sdk.endpoint.patch(a.app.id, endpoint.id, { description: 'patched' })).description).toBe('patched');
      const replaced = await sdk.endpoint.upsert(a.app.id, endpoint.id, { url: receiver.url('/alpha'), description: 'replaced', eventTypes: [eventType] });
      expect(replaced).toMatchObject({ id: endpoint.id, description: 'replaced', eventTypes: [eventType] });
      expect((await sdk.endpoint.getSecret(a.app.id, endpoint.id)).key).toMatch(/^whsec_/);

      const message = await sdk.message.create(a.app.id, { eventType, payload: { order: 'a-1' } });
      expect((await sdk.message.get(a.app.id, message.id)).payload).toEqual({ order: 'a-1' });
      expect((await sdk.message.list(a.app.id)).data.map((item) => item.id)).toEqual([message.id]);
      const attempts = await eventually(async () => {
        const list = await sdk.messageAttempt.listByMsg(a.app.id, message.id);
        expect(list.data).toHaveLength(1);
        return list;
      });
      expect(attempts.data[0]).toMatchObject({ msgId: message.id, endpointId: endpoint.id, responseStatusCode: 200 });
      expect((await sdk.messageAttempt.listByEndpoint(a.app.id, endpoint.id)).data.map((item) => item.id)).toEqual([attempts.data[0]!.id]);

      await sdk.endpoint.delete(a.app.id, endpoint.id);
      await expect(sdk.endpoint.get(a.app.id, endpoint.id)).rejects.toMatchObject({ code: 404 });
    });
  });

  describe('Idempotency-Key', () => {
    let c: Tenant;
    let d: Tenant;

    beforeAll(async () => {
      c = await tenant('Charlie');
      d = await tenant('Delta');
    });

    it('replays the first response to a repeated message create, which creates one message only', async () => {
      const key = `idem-${randomUUID()}`;
      const path = `/api/v1/app/${c.app.id}/msg`;
      const first = await c.api.post<MessageOut>(path, { eventType, payload: { n: 1 } }, { 'idempotency-key': key });
      const second = await c.api.post<MessageOut>(path, { eventType, payload: { n: 1 } }, { 'idempotency-key': key });
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.body).toEqual(first.body);
      const list = await c.api.get<ListOut<MessageOut>>(path);
      expect(list.body.data.map((message) => message.id)).toEqual([first.body.id]);

      // The svix SDK sends its own idempotency key: the same answer again.
      const viaSdk = await c.sdk.message.create(c.app.id, { eventType, payload: { n: 1 } }, { idempotencyKey: key });
      expect(viaSdk.id).toBe(first.body.id);
      expect((await c.api.get<ListOut<MessageOut>>(path)).body.data).toHaveLength(1);
    });

    it('creates one message when the same key arrives twice at once', async () => {
      const key = `idem-${randomUUID()}`;
      const app = await admin.post<AppOut>('/api/v1/app', { name: 'Concurrent' });
      const path = `/api/v1/app/${app.body.id}/msg`;
      const replies = await Promise.all([1, 2, 3].map(() => admin.post<MessageOut & ErrorOut>(path, { eventType, payload: {} }, { 'idempotency-key': key })));
      for (const reply of replies) {
        if (reply.status === 409) expect(reply.body.code).toBe('idempotency_in_progress');
        else expect(reply.status).toBe(202);
      }
      const ids = new Set(replies.filter((reply) => reply.status === 202).map((reply) => reply.body.id));
      expect(ids.size).toBe(1);
      expect((await admin.get<ListOut<MessageOut>>(path)).body.data.map((message) => message.id)).toEqual([...ids]);
    });

    it('keeps each key to its own request when many arrive at once (they share statements), each key twice', async () => {
      const app = await admin.post<AppOut>('/api/v1/app', { name: 'Many keys at once' });
      const path = `/api/v1/app/${app.body.id}/msg`;
      const keys = Array.from({ length: 30 }, (_, n) => ({ n, key: `idem-${n}-${randomUUID()}` }));
      const send = ({ n, key }: { n: number; key: string }) => admin.post<MessageOut & ErrorOut>(path, { eventType, payload: { n } }, { 'idempotency-key': key });
      const replies = await Promise.all(keys.flatMap((item) => [send(item), send(item)]));
      const created = new Map<string, string>();
      keys.forEach(({ n, key }, index) => {
        const pair = replies.slice(2 * index, 2 * index + 2);
        for (const reply of pair.filter((r) => r.status !== 202)) expect(reply).toMatchObject({ status: 409, body: { code: 'idempotency_in_progress' } });
        const accepted = pair.filter((reply) => reply.status === 202);
        expect(new Set(accepted.map((reply) => reply.body.id)).size).toBe(1);
        for (const reply of accepted) expect(reply.body.payload).toEqual({ n });
        created.set(key, accepted[0]!.body.id);
      });
      expect(new Set(created.values()).size).toBe(keys.length);
      // Once they are done, each key replays its own first response.
      for (const item of keys) {
        const again = await send(item);
        expect(again).toMatchObject({ status: 202, body: { id: created.get(item.key), payload: { n: item.n } } });
      }
      const list = await admin.get<ListOut<MessageOut>>(`${path}?limit=250`);
      expect(list.body.data).toHaveLength(keys.length);
    });

    it('refuses the same key on another route with 422 idempotency_key_reused, creating nothing', async () => {
      const key = `idem-${randomUUID()}`;
      const first = await c.api.post<MessageOut>(`/api/v1/app/${c.app.id}/msg`, { eventType, payload: {} }, { 'idempotency-key': key });
      expect(first.status).toBe(202);
      const reused = await c.api.post<ErrorOut>(`/api/v1/app/${c.app.id}/endpoint`, { url: receiver.url('/charlie') }, { 'idempotency-key': key });
      expect(reused).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused', detail: expect.any(String) } });
      expect((await c.api.get<ListOut<EndpointOut>>(`/api/v1/app/${c.app.id}/endpoint`)).body.data).toEqual([]);
    });

    it("scopes keys per principal: another tenant's same key is a new request", async () => {
      const key = `idem-${randomUUID()}`;
      const mine = await c.api.post<MessageOut>(`/api/v1/app/${c.app.id}/msg`, { eventType, payload: { who: 'c' } }, { 'idempotency-key': key });
      const theirs = await d.api.post<MessageOut>(`/api/v1/app/${d.app.id}/msg`, { eventType, payload: { who: 'd' } }, { 'idempotency-key': key });
      expect(mine.status).toBe(202);
      expect(theirs.status).toBe(202);
      expect(theirs.body.id).not.toBe(mine.body.id);
      expect(theirs.body.payload).toEqual({ who: 'd' });
      expect((await d.api.get<ListOut<MessageOut>>(`/api/v1/app/${d.app.id}/msg`)).body.data.map((message) => message.id)).toEqual([theirs.body.id]);
    });

    it('releases the key of a request that failed, so the fixed request runs', async () => {
      const key = `idem-${randomUUID()}`;
      const path = `/api/v1/app/${d.app.id}/endpoint`;
      const bad = await d.api.post(path, { url: 'ftp://nowhere' }, { 'idempotency-key': key });
      expect(bad.status).toBe(422);
      const good = await d.api.post<EndpointOut>(path, { url: receiver.url('/delta') }, { 'idempotency-key': key });
      expect(good.status).toBe(201);
      expect(good.body.url).toBe(receiver.url('/delta'));
    });

    it('refuses the same key with a different body with 422, creating nothing, and replays the same body', async () => {
      const key = `idem-${randomUUID()}`;
      const path = `/api/v1/app/${c.app.id}/msg`;
      const first = await c.api.post<MessageOut>(path, { eventType, payload: { amount: 10 } }, { 'idempotency-key': key });
      expect(first.status).toBe(202);
      const changed = await c.api.post<ErrorOut>(path, { eventType, payload: { amount: 1000 } }, { 'idempotency-key': key });
      expect(changed).toMatchObject({ status: 422, body: { code: 'idempotency_key_reused', detail: `Idempotency-Key "${key}" was used with a different request body` } });
      expect((await c.api.post<MessageOut>(path, { eventType, payload: { amount: 10 } }, { 'idempotency-key': key })).body.id).toBe(first.body.id);
      const ids = (await c.api.get<ListOut<MessageOut>>(path)).body.data.map((message) => message.id);
      expect(ids.filter((id) => id === first.body.id)).toHaveLength(1);
      expect((await c.api.get<ListOut<MessageOut>>(path)).body.data.filter((message) => message.payload.amount === 1000)).toEqual([]);
    });

    it('repeats an answer that holds a credential from a sealed copy: the key or token is never stored as text', async () => {
      const stored = async (key: string) => JSON.stringify(((await db.query('SELECT response_body FROM idempotency_keys WHERE key = $1', [key])) as Array<{ response_body: unknown }>)[0]?.response_body);
      const portalKey = `idem-${randomUUID()}`;
      const portalPath = `/api/v1/auth/app-portal-access/${c.app.id}`;
      const access = await admin.post<{ url: string; token: string }>(portalPath, {}, { 'idempotency-key': portalKey });
      expect(access.status).toBe(200);
      expect(await admin.post(portalPath, {}, { 'idempotency-key': portalKey })).toMatchObject({ status: 200, body: access.body });
      const keyKey = `idem-${randomUUID()}`;
      const keyPath = `/api/v1/app/${c.app.id}/api-key`;
      const created = await admin.post<{ id: string; key: string }>(keyPath, { name: 'sealed' }, { 'idempotency-key': keyKey });
      expect(created.status).toBe(201);
      expect(await admin.post(keyPath, { name: 'sealed' }, { 'idempotency-key': keyKey })).toMatchObject({ status: 201, body: created.body });
      for (const [key, secret] of [[portalKey, access.body.token], [keyKey, created.body.key]] as const) {
        const row = await stored(key);
        expect(row).toContain('"sealed"');
        expect(row).not.toContain(secret);
      }
      // Another answer is kept as it was sent.
      const messageKey = `idem-${randomUUID()}`;
      const message = await c.api.post<MessageOut>(`/api/v1/app/${c.app.id}/msg`, { eventType, payload: {} }, { 'idempotency-key': messageKey });
      expect(await stored(messageKey)).toContain(message.body.id);
    });

    it('lets a key run anew once HOOKLINE_IDEMPOTENCY_KEY_TTL (24 h) has passed since its first use', async () => {
      const key = `idem-${randomUUID()}`;
      const path = `/api/v1/app/${d.app.id}/msg`;
      const first = await d.api.post<MessageOut>(path, { eventType, payload: { day: 1 } }, { 'idempotency-key': key });
      expect(first.status).toBe(202);
      await db.query(`UPDATE idempotency_keys SET created_at = now() - interval '23 hours' WHERE key = $1`, [key]);
      expect((await d.api.post<MessageOut>(path, { eventType, payload: { day: 1 } }, { 'idempotency-key': key })).body.id).toBe(first.body.id);
      await db.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [key]);
      // Expired: the request runs again, even with another body.
      const again = await d.api.post<MessageOut>(path, { eventType, payload: { day: 2 } }, { 'idempotency-key': key });
      expect(again.status).toBe(202);
      expect(again.body.id).not.toBe(first.body.id);
      expect((await d.api.post<MessageOut>(path, { eventType, payload: { day: 2 } }, { 'idempotency-key': key })).body.id).toBe(again.body.id);
    });

    it('replays an application create, which creates one application only', async () => {
      const key = `idem-${randomUUID()}`;
      const name = `Idempotent ${randomUUID()}`;
      const first = await admin.post<AppOut>('/api/v1/app', { name }, { 'idempotency-key': key });
      const second = await admin.post<AppOut>('/api/v1/app', { name }, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      const viaSdk = await adminSdk.application.create({ name }, { idempotencyKey: key });
      expect(viaSdk.id).toBe(first.body.id);
      const rows = (await db.query('SELECT id FROM applications WHERE name = $1', [name])) as Array<{ id: string }>;
      expect(rows.map((row) => row.id)).toEqual([first.body.id]);
    });
  });

  describe('eventId de-duplication', () => {
    it('answers 409 conflict to a second message with the same eventId, and keeps the first', async () => {
      const e = await tenant('Echo');
      const path = `/api/v1/app/${e.app.id}/msg`;
      const eventId = `evt-${randomUUID()}`;
      const first = await e.api.post<MessageOut>(path, { eventType, payload: { n: 1 }, eventId });
      expect(first.status).toBe(202);
      const second = await e.api.post<ErrorOut>(path, { eventType, payload: { n: 2 }, eventId });
      expect(second).toMatchObject({ status: 409, body: { code: 'conflict', detail: expect.any(String) } });
      await expect(e.sdk.message.create(e.app.id, { eventType, payload: { n: 3 }, eventId })).rejects.toMatchObject({ code: 409 });

      const list = await e.api.get<ListOut<MessageOut>>(path);
      expect(list.body.data.map((message) => [message.id, message.payload])).toEqual([[first.body.id, { n: 1 }]]);
      expect((await e.api.get<MessageOut>(`${path}/${eventId}`)).body.id).toBe(first.body.id);

      // eventIds are unique per application: another application may use the same one.
      const other = await admin.post<AppOut>('/api/v1/app', { name: 'Echo 2' });
      expect((await admin.post(`/api/v1/app/${other.body.id}/msg`, { eventType, payload: {}, eventId })).status).toBe(202);
    });
  });

  describe('validation', () => {
    let f: Tenant;
    let base: string;

    beforeAll(async () => {
      f = await tenant('Foxtrot');
      base = `/api/v1/app/${f.app.id}`;
    });

    it('answers 422 naming each bad body field in detail[].loc', async () => {
      const cases: Array<[string, unknown, Array<Array<string | number>>]> = [
        [`${base}/endpoint`, { url: 'ftp://x' }, [['body', 'url']]],
        [`${base}/endpoint`, { url: 'not a url' }, [['body', 'url']]],
        [`${base}/endpoint`, { url: '' }, [['body', 'url']]],
        [`${base}/endpoint`, { url: 'https://hooks.example.com/a b' }, [['body', 'url']]],
        [`${base}/endpoint`, {}, [['body', 'url']]],
        [`${base}/endpoint`, { url: receiver.url('/f'), eventTypes: [eventType, 'bad type!'] }, [['body', 'eventTypes', 1]]],
        [`${base}/endpoint`, { url: receiver.url('/f'), secret: 'not-a-secret' }, [['body', 'secret']]],
        [`${base}/endpoint`, { url: receiver.url('/f'), throttleRate: 0, uid: 'bad uid' }, [['body', 'throttleRate'], ['body', 'uid']]],
        [`${base}/msg`, { payload: {} }, [['body', 'eventType']]],
        [`${base}/msg`, { eventType, payload: 'text' }, [['body', 'payload']]],
        [`${base}/msg`, { eventType, payload: {}, channels: ['bad channel'] }, [['body', 'channels', 0]]],
        ['/api/v1/app', { name: '' }, [['body', 'name']]],
        // Svix's application-wide throttle, which Hookline does not have: refused, not ignored.
        ['/api/v1/app', { name: 'Throttled', throttleRate: 10 }, [['body', 'throttleRate']]],
        ['/api/v1/app', { name: 'Limited', rateLimit: 10 }, [['body', 'rateLimit']]],
      ];
      for (const [path, json, expected] of cases) {
        const reply = await admin.post<ValidationOut>(path, json);
        expect({ case: JSON.stringify(json), status: reply.status, locs: reply.status === 422 ? locs(reply) : reply.body }).toEqual({ case: JSON.stringify(json), status: 422, locs: expected });
        for (const problem of reply.body.detail) expect(problem).toEqual({ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) });
      }
      expect((await admin.get<ListOut<EndpointOut>>(`${base}/endpoint`)).body.data).toEqual([]);
      expect((await admin.get<ListOut<MessageOut>>(`${base}/msg`)).body.data).toEqual([]);

      // A PATCH that would make a bad endpoint is refused and changes nothing.
      const endpoint = await admin.post<EndpointOut>(`${base}/endpoint`, { url: receiver.url('/f') });
      const patched = await admin.patch<ValidationOut>(`${base}/endpoint/${endpoint.body.id}`, { url: 'ftp://x' });
      expect({ status: patched.status, locs: locs(patched) }).toEqual({ status: 422, locs: [['body', 'url']] });
      expect((await admin.get<EndpointOut>(`${base}/endpoint/${endpoint.body.id}`)).body.url).toBe(receiver.url('/f'));
      await admin.delete(`${base}/endpoint/${endpoint.body.id}`);

      // The svix SDK parses the 422 into its HTTPValidationError.
      const error = (await f.sdk.endpoint.create(f.app.id, { url: 'ftp://x' }).catch((failure: unknown) => failure)) as ApiException<ValidationOut>;
      expect(error).toBeInstanceOf(ApiException);
      expect(error.code).toBe(422);
      expect(error.body.detail.map((problem) => problem.loc)).toEqual([['body', 'url']]);
    });

    it('answers 422 naming each bad query parameter', async () => {
      const cases: Array<[string, Array<Array<string | number>>]> = [
        [`${base}/endpoint?limit=0`, [['query', 'limit']]],
        [`${base}/endpoint?limit=251`, [['query', 'limit']]],
        [`${base}/endpoint?limit=two`, [['query', 'limit']]],
        [`${base}/endpoint?iterator=not-an-iterator`, [['query', 'iterator']]],
        [`${base}/msg?limit=0`, [['query', 'limit']]],
        [`${base}/msg?before=yesterday`, [['query', 'before']]],
        [`/api/v1/app?limit=0`, [['query', 'limit']]],
        [`/api/v1/app?order=sideways`, [['query', 'order']]],
      ];
      for (const [path, expected] of cases) {
        const reply = await f.api.get<ValidationOut>(path);
        expect({ path, status: reply.status, locs: reply.status === 422 ? locs(reply) : reply.body }).toEqual({ path, status: 422, locs: expected });
      }
    });

    it('answers 422 to text holding U+0000 (which PostgreSQL cannot store) in a body field, a key, a nested value, a query or a path parameter', async () => {
      const nul = 'must not contain the NUL character (U+0000)';
      const cases: Array<[string, string, unknown, Array<Array<string | number>>]> = [
        ['POST', '/api/v1/event-type', { name: `nul.${short()}`, description: 'x', schemas: { '1': { title: 'b\u0000', 'k\u0000': 1 } } }, [['body', 'schemas', '1', 'title'], ['body', 'schemas', '1', 'k\u0000']]],
        ['POST', `${base}/msg`, { eventType, payload: { deep: [{ x: '\u0000' }] } }, [['body', 'payload', 'deep', 0, 'x']]],
        ['POST', `${base}/endpoint`, { url: receiver.url('/f'), metadata: { 'a\u0000': 'b' } }, [['body', 'metadata', 'a\u0000']]],
        ['PATCH', base, { name: 'Fox\u0000trot' }, [['body', 'name']]],
        ['GET', `${base}/dead-letter?endpoint_id=a%00`, undefined, [['query', 'endpoint_id']]],
        ['GET', '/api/v1/app/%00', undefined, [['path', 'app_id']]],
        ['GET', `${base}/endpoint/a%00b`, undefined, [['path', 'endpoint_id']]],
        ['GET', `${base}/msg/%00`, undefined, [['path', 'msg_id']]],
        ['GET', '/api/v1/event-type/a%00', undefined, [['path', 'event_type_name']]],
      ];
      for (const [method, path, json, expected] of cases) {
        const reply = await admin.send<ValidationOut>(method, path, { json });
        expect({ method, path, status: reply.status, body: reply.body }).toEqual({
          method,
          path,
          status: 422,
          body: { detail: expected.map((loc) => ({ loc, msg: nul, type: 'nul_character' })) },
        });
      }
      expect((await admin.get<ListOut<MessageOut>>(`${base}/msg`)).body.data).toEqual([]);
      expect((await admin.get<AppOut>(base)).body.name).toBe('Foxtrot');
    });

    it('answers 422 to an unpaired surrogate in any string or key, and to nesting past 128 levels, storing nothing altered', async () => {
      const surrogate = { msg: UNPAIRED_SURROGATE_MESSAGE, type: 'unpaired_surrogate' };
      // Its own application: the messages it stores must not show in the other tests' listings.
      const india = await tenant('India');
      const messages = `/api/v1/app/${india.app.id}/msg`;
      // Sent as JSON text: the escapes are what a client's JSON holds, \ud800 alone being no character at all.
      const cases: Array<[string, string, string, Array<Array<string | number>>]> = [
        ['POST', `${base}/msg`, `{"eventType":"${eventType}","payload":{"s":"\\ud800"}}`, [['body', 'payload', 's']]],
        ['POST', `${base}/msg`, `{"eventType":"${eventType}","payload":{"list":[{"\\udc00key":1}]}}`, [['body', 'payload', 'list', 0, '\udc00key']]],
        ['POST', `${base}/msg`, `{"eventType":"${eventType}","eventId":"a\\ud83d","payload":{}}`, [['body', 'eventId']]],
        ['PATCH', base, '{"name":"Fox\\ud800trot"}', [['body', 'name']]],
        ['PATCH', base, '{"metadata":{"tier":"\\udfff"}}', [['body', 'metadata', 'tier']]],
        ['POST', `${base}/endpoint`, `{"url":"${receiver.url('/f')}","description":"\\ud800\\ud800"}`, [['body', 'description']]],
        ['POST', '/api/v1/event-type', `{"name":"s.${short()}","description":"\\ude00"}`, [['body', 'description']]],
      ];
      for (const [method, path, raw, expected] of cases) {
        const reply = await admin.send<ValidationOut>(method, path, { raw });
        expect({ raw, status: reply.status, body: reply.body }).toEqual({ raw, status: 422, body: { detail: expected.map((loc) => ({ loc, ...surrogate })) } });
      }
      // A surrogate pair is a character like any other.
      expect((await admin.send('POST', messages, { raw: `{"eventType":"${eventType}","payload":{"s":"\\ud83d\\ude00"}}` })).status).toBe(202);

      // The body is level 1, the payload level 2: 127 levels inside the payload are the most.
      const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
      expect((await admin.send('POST', messages, { raw: `{"eventType":"${eventType}","payload":${nested(127)}}` })).status).toBe(202);
      for (const levels of [128, 8_000]) {
        const deep = await admin.send<ValidationOut>('POST', messages, { raw: `{"eventType":"${eventType}","payload":${nested(levels)}}` });
        expect({ levels, status: deep.status, body: deep.body }).toEqual({
          levels,
          status: 422,
          body: { detail: [{ loc: ['body', 'payload', ...Array.from({ length: 127 }, () => 'a')], msg: TOO_DEEP_MESSAGE, type: 'too_deep' }] },
        });
      }
      expect((await admin.get<AppOut>(base)).body.name).toBe('Foxtrot');
      expect((await admin.get<ListOut<MessageOut>>(messages)).body.data.map((message) => message.payload.s ?? 'nested')).toEqual(['nested', '\ud83d\ude00']);
    });

    it('refuses endpoint headers that could split a request, are not ASCII or frame the connection, with 422 naming each', async () => {
      const bad: Array<[Record<string, string>, string]> = [
        [{ 'X-Split': 'a\r\nX-Injected: 1' }, 'X-Split'],
        [{ 'X-Newline': 'a\nb' }, 'X-Newline'],
        [{ 'X-Accented': 'caf\u00e9' }, 'X-Accented'],
        [{ 'X Space': 'a' }, 'X Space'],
        [{ 'X-Caf\u00e9': 'a' }, 'X-Caf\u00e9'],
        ...['Transfer-Encoding', 'Content-Length', 'Connection', 'Upgrade', 'Expect', 'Host', 'Keep-Alive', 'TE', 'Trailer', 'Proxy-Authorization', 'proxy-connection'].map(
          (name): [Record<string, string>, string] => [{ [name]: 'x' }, name],
        ),
      ];
      for (const [headers, name] of bad) {
        const reply = await admin.post<ValidationOut>(`${base}/endpoint`, { url: receiver.url('/h'), headers });
        expect({ name, status: reply.status, locs: reply.status === 422 ? locs(reply) : reply.body }).toEqual({ name, status: 422, locs: [['body', 'headers', name]] });
      }
      const created = await admin.post<EndpointOut>(`${base}/endpoint`, { url: receiver.url('/h'), headers: { 'X-Api-Key': 'k 1', Authorization: 'Bearer t' } });
      expect(created.status).toBe(201);
      const patched = await admin.patch<ValidationOut>(`${base}/endpoint/${created.body.id}`, { headers: { Host: 'internal.example' } });
      expect({ status: patched.status, locs: locs(patched) }).toEqual({ status: 422, locs: [['body', 'headers', 'Host']] });
      // Svix's headers routes take the same rule: PUT for all of them, PATCH for those it sets.
      const headersPath = `${base}/endpoint/${created.body.id}/headers`;
      for (const [method, headers, name] of [
        ['put', { 'X-Split': 'a\r\nX-Injected: 1' }, 'X-Split'],
        ['put', { Host: 'internal.example' }, 'Host'],
        ['patch', { 'X-Split': 'a\r\nX-Injected: 1' }, 'X-Split'],
        ['patch', { 'Transfer-Encoding': 'chunked' }, 'Transfer-Encoding'],
        ['patch', { Connection: null }, 'Connection'],
      ] as const) {
        const reply = method === 'put' ? await admin.put<ValidationOut>(headersPath, { headers }) : await admin.patch<ValidationOut>(headersPath, { headers });
        expect({ method, name, status: reply.status, locs: reply.status === 422 ? locs(reply) : reply.body }).toEqual({ method, name, status: 422, locs: [['body', 'headers', name]] });
      }
      expect((await admin.patch(headersPath, { headers: { 'X-Region': 'eu' } })).status).toBe(204);
      expect((await admin.get<{ headers: Record<string, string> }>(headersPath)).body.headers).toEqual({ 'X-Api-Key': 'k 1', 'X-Region': 'eu' });
      await admin.delete(`${base}/endpoint/${created.body.id}`);
    });

    it('takes at most 50 custom headers an endpoint, counted as a PATCH leaves them, and refuses more with 422 at the headers', async () => {
      const numbered = (count: number, from = 0) => Object.fromEntries(Array.from({ length: count }, (_, n) => [`X-Custom-${from + n}`, String(from + n)]));
      const tooMany = await admin.post<ValidationOut>(`${base}/endpoint`, { url: receiver.url('/h'), headers: numbered(51) });
      expect({ status: tooMany.status, locs: locs(tooMany), msg: tooMany.body.detail[0]?.msg }).toEqual({ status: 422, locs: [['body', 'headers']], msg: 'at most 50 headers' });
      const created = await admin.post<EndpointOut>(`${base}/endpoint`, { url: receiver.url('/h'), headers: numbered(50) });
      expect(created.status).toBe(201);
      const headersPath = `${base}/endpoint/${created.body.id}/headers`;
      for (const reply of [await admin.put<ValidationOut>(headersPath, { headers: numbered(51) }), await admin.patch<ValidationOut>(headersPath, { headers: numbered(1, 50) })]) {
        expect({ status: reply.status, locs: locs(reply) }).toEqual({ status: 422, locs: [['body', 'headers']] });
      }
      // One removed, one added: still 50.
      expect((await admin.patch(headersPath, { headers: numbered(1, 50), deleteHeaders: ['X-Custom-0'] })).status).toBe(204);
      expect(Object.keys((await admin.get<{ headers: Record<string, string> }>(headersPath)).body.headers)).toHaveLength(50);
      await admin.delete(`${base}/endpoint/${created.body.id}`);
    });

    it('accepts an international host name in punycode, as the README says', async () => {
      for (const url of ['http://xn--nxasmq6b.com/hook', 'https://xn--nxasmq6b.xn--j6w193g/hook', 'https://xn--ls8h.la/']) {
        const created = await admin.post<EndpointOut>(`${base}/endpoint`, { url });
        expect({ url, status: created.status }).toEqual({ url, status: 201 });
        expect(created.body.url).toBe(url);
        await admin.delete(`${base}/endpoint/${created.body.id}`);
      }
    });

    it('keeps a "__proto__" key of a payload, at the top and nested, in what is stored and answered', async () => {
      const raw = `{"eventType":"${eventType}","payload":{"__proto__":{"polluted":true},"nested":{"__proto__":[1]},"a":1}}`;
      const golf = await tenant('Golf');
      const created = await golf.api.send<MessageOut>('POST', `/api/v1/app/${golf.app.id}/msg`, { raw });
      expect(created.status).toBe(202);
      const response = await fetch(`${pipeline.apiUrl}/api/v1/app/${golf.app.id}/msg/${created.body.id}`, { headers: { authorization: `Bearer ${golf.key}` } });
      // PostgreSQL's jsonb orders keys its own way; every one is there.
      const text = await response.text();
      expect(text).toContain('"__proto__":{"polluted":true}');
      expect(text).toContain('"nested":{"__proto__":[1]}');
      const [row] = (await db.query('SELECT payload::text AS payload FROM messages WHERE id = $1', [created.body.id])) as Array<{ payload: string }>;
      expect(row!.payload).toBe('{"a": 1, "nested": {"__proto__": [1]}, "__proto__": {"polluted": true}}');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('requires the url on a PUT of an endpoint, and resets what the PUT leaves out', async () => {
      const endpoint = await admin.post<EndpointOut>(`${base}/endpoint`, { url: receiver.url('/f'), description: 'before' });
      const path = `${base}/endpoint/${endpoint.body.id}`;
      const missing = await admin.put<ValidationOut>(path, { description: 'after' });
      expect({ status: missing.status, locs: locs(missing) }).toEqual({ status: 422, locs: [['body', 'url']] });
      const replaced = await admin.put<EndpointOut>(path, { url: receiver.url('/g') });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ url: receiver.url('/g'), description: '' });
      await admin.delete(path);
    });

    it('takes only canonical whsec_ secrets of 24 to 64 bytes, as the pattern in the document says', async () => {
      const secret = (bytes: number) => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;
      for (const bytes of [23, 65]) {
        const reply = await admin.post<ValidationOut>(`${base}/endpoint`, { url: receiver.url('/f'), secret: secret(bytes) });
        expect({ bytes, status: reply.status, locs: locs(reply) }).toEqual({ bytes, status: 422, locs: [['body', 'secret']] });
      }
      for (const bytes of [24, 64]) {
        const created = await admin.post<EndpointOut>(`${base}/endpoint`, { url: receiver.url('/f'), secret: secret(bytes) });
        expect(created.status).toBe(201);
        expect((await admin.get<{ key: string }>(`${base}/endpoint/${created.body.id}/secret`)).body.key).toBe(secret(bytes));
        await admin.delete(`${base}/endpoint/${created.body.id}`);
      }
    });

    it('checks each listing iterator by its own format: an id, an event type name, a dead letter pair', async () => {
      const id = 'ffffffff-ffff-7fff-bfff-ffffffffffff';
      for (const path of [`${base}/endpoint?iterator=${id}`, `/api/v1/event-type?iterator=zzz&order=descending`, `${base}/dead-letter?iterator=${id}:${id}`]) {
        const reply = await admin.get<ListOut<unknown>>(path);
        expect({ path, status: reply.status }).toEqual({ path, status: 200 });
      }
      for (const path of [`${base}/endpoint?iterator=${'-'.repeat(36)}`, `/api/v1/event-type?iterator=bad!`, `${base}/dead-letter?iterator=${id}`]) {
        const reply = await admin.get<ValidationOut>(path);
        expect({ path, status: reply.status, locs: reply.status === 422 ? locs(reply) : reply.body }).toEqual({ path, status: 422, locs: [['query', 'iterator']] });
      }
    });

    it('treats an endpoint named in a dead letter filter as a filter: one the application lacks matches nothing', async () => {
      const replay = await admin.post(`${base}/dead-letter/replay`, { endpointId: 'no-such-endpoint' });
      expect({ status: replay.status, body: replay.body }).toEqual({ status: 202, body: { replayed: 0 } });
      const list = await admin.get(`${base}/dead-letter?endpoint_id=no-such-endpoint`);
      expect({ status: list.status, body: list.body }).toEqual({ status: 200, body: { data: [], iterator: null, prevIterator: null, done: true } });
    });

    it('answers a malformed JSON body with 400 and a JSON {code, detail}', async () => {
      // (Documented as the 400 of every operation that takes a body.)
      const reply = await f.api.send<ErrorOut>('POST', `${base}/msg`, { raw: '{"eventType": "a", "payload": {' });
      expect(reply.status).toBe(400);
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
      expect(reply.body).toEqual({ code: expect.any(String), detail: expect.any(String) });
      expect((await f.api.get<ListOut<MessageOut>>(`${base}/msg`)).body.data).toEqual([]);
    });

    it('answers a body over 256kb with 413 and a JSON {code, detail}', async () => {
      const reply = await f.api.post<ErrorOut>(`${base}/msg`, { eventType, payload: { blob: 'x'.repeat(300 * 1024) } });
      expect(reply.status).toBe(413);
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
      expect(reply.body).toEqual({ code: expect.any(String), detail: expect.any(String) });
      expect((await f.api.get<ListOut<MessageOut>>(`${base}/msg`)).body.data).toEqual([]);
      // Just under the limit is accepted.
      expect((await f.api.post(`${base}/msg`, { eventType, payload: { blob: 'x'.repeat(200 * 1024) } })).status).toBe(202);
    });
  });

  describe('pagination', () => {
    it('walks 5 endpoints 2 at a time with iterator/done, each seen once, in creation order', async () => {
      const g = await tenant('Golf');
      const path = `/api/v1/app/${g.app.id}/endpoint`;
      const created: string[] = [];
      for (let n = 1; n <= 5; n++) {
        const reply = await g.api.post<EndpointOut>(path, { url: receiver.url(`/golf/${n}`) });
        expect(reply.status).toBe(201);
        created.push(reply.body.id);
      }
      const first = await g.api.get<ListOut<EndpointOut>>(`${path}?limit=2`);
      expect(first.body).toMatchObject({ done: false, iterator: expect.any(String) });
      expect(first.body.data).toHaveLength(2);

      const { items, pages } = await listAll<EndpointOut>(g.api, path, 2);
      expect(pages.map((page) => [page.data.length, page.done])).toEqual([[2, false], [2, false], [1, true]]);
      expect(items.map((endpoint) => endpoint.id)).toEqual(created);

      // The svix SDK follows the same iterators; descending gives the reverse order.
      const seen: string[] = [];
      let iterator: string | null = null;
      do {
        const page = await g.sdk.endpoint.list(g.app.id, { limit: 2, iterator, order: Ordering.Descending });
        seen.push(...page.data.map((endpoint) => endpoint.id));
        iterator = page.done ? null : page.iterator;
      } while (iterator);
      expect(seen).toEqual([...created].reverse());

      // And back from the last page: each prevIterator names the page before, in the listing's order, done at the start.
      const back: ListOut<EndpointOut>[] = [];
      for (let prev = pages.at(-1)!.prevIterator; prev; prev = back.at(-1)!.done ? null : back.at(-1)!.prevIterator) {
        back.push((await g.api.get<ListOut<EndpointOut>>(`${path}?limit=2&iterator=${prev}`)).body);
      }
      expect(back.map((page) => [page.data.map((endpoint) => endpoint.id), page.done])).toEqual([
        [created.slice(2, 4), false],
        [created.slice(0, 2), true],
      ]);
      // The svix SDK passes the same iterator; in descending order "back" is towards the newest.
      const newest = await g.sdk.endpoint.list(g.app.id, { limit: 2, iterator: `-${created[2]}`, order: Ordering.Descending });
      expect(newest.data.map((endpoint) => endpoint.id)).toEqual([created[4], created[3]]);
      expect(newest).toMatchObject({ done: true, iterator: created[3], prevIterator: `-${created[4]}` });

      // A listing that fits one page is done, even when exactly full.
      const exact = await g.api.get<ListOut<EndpointOut>>(`${path}?limit=5`);
      expect(exact.body).toMatchObject({ done: true });
      expect(exact.body.data).toHaveLength(5);
    });
  });

  describe('application search', () => {
    it("finds applications by a part of the name or uid in any case, or by the whole id, across pages, and an API key only its own", async () => {
      const word = `Quasar${short()}`;
      const matched = [await tenant(`${word}-Retail`), await tenant(`Shop-${word.toLowerCase()}`)];
      const other = await tenant('Unrelated');
      const search = async (api: ApiClient, text: string, limit = 50) => {
        const reply = await api.get<ListOut<AppOut>>(`/api/v1/app?limit=${limit}&search=${encodeURIComponent(text)}`);
        expect(reply.status).toBe(200);
        return reply.body;
      };
      expect((await search(admin, word.toUpperCase())).data.map((app) => app.id)).toEqual(matched.map((t) => t.app.id));
      // Paged like any listing: one a page, the iterator reaching the second.
      const first = await search(admin, word, 1);
      expect(first).toMatchObject({ done: false, data: [{ id: matched[0]!.app.id }] });
      const second = await admin.get<ListOut<AppOut>>(`/api/v1/app?limit=1&search=${word}&iterator=${first.iterator}`);
      expect(second.body).toMatchObject({ done: true, data: [{ id: matched[1]!.app.id }] });
      expect((await search(admin, matched[1]!.app.uid!.slice(5))).data.map((app) => app.id)).toEqual([matched[1]!.app.id]);
      expect((await search(admin, other.app.id.toUpperCase())).data.map((app) => app.id)).toEqual([other.app.id]);
      // % and _ are the search's own characters, not wildcards.
      expect((await search(admin, `${word.slice(0, 3)}%`)).data).toEqual([]);
      expect((await search(admin, '_'.repeat(word.length))).data).toEqual([]);
      // An API key searches its own application only.
      expect((await search(other.api, word)).data).toEqual([]);
      expect((await search(matched[0]!.api, word)).data.map((app) => app.id)).toEqual([matched[0]!.app.id]);
      expect((await admin.get('/api/v1/app?search=')).status).toBe(422);
    });
  });

  describe('uid as an alternative id', () => {
    it('finds an application by uid, and its endpoints by uid and messages by eventId', async () => {
      const appUid = `hotel-${short()}`;
      const app = await adminSdk.application.create({ name: 'Hotel', uid: appUid });
      const byUid = await admin.get<AppOut>(`/api/v1/app/${appUid}`);
      expect(byUid).toMatchObject({ status: 200, body: { id: app.id, uid: appUid } });
      expect((await adminSdk.application.get(appUid)).id).toBe(app.id);

      const endpointUid = `hotel-ep-${short()}`;
      const endpoint = await admin.post<EndpointOut>(`/api/v1/app/${appUid}/endpoint`, { url: receiver.url('/hotel'), uid: endpointUid });
      expect(endpoint.status).toBe(201);
      expect((await admin.get<EndpointOut>(`/api/v1/app/${appUid}/endpoint/${endpointUid}`)).body).toMatchObject({ id: endpoint.body.id, uid: endpointUid });
      expect((await adminSdk.endpoint.get(appUid, endpointUid)).id).toBe(endpoint.body.id);
      expect((await admin.patch<EndpointOut>(`/api/v1/app/${app.id}/endpoint/${endpointUid}`, { description: 'by uid' })).body).toMatchObject({ id: endpoint.body.id, description: 'by uid' });
      const secretByUid = await admin.get<{ key: string }>(`/api/v1/app/${appUid}/endpoint/${endpointUid}/secret`);
      const secretById = await admin.get<{ key: string }>(`/api/v1/app/${app.id}/endpoint/${endpoint.body.id}/secret`);
      expect(secretByUid.body.key).toBe(secretById.body.key);

      const eventId = `hotel-evt-${short()}`;
      const message = await admin.post<MessageOut>(`/api/v1/app/${appUid}/msg`, { eventType, payload: { via: 'uid' }, eventId });
      expect(message.status).toBe(202);
      expect((await admin.get<MessageOut>(`/api/v1/app/${appUid}/msg/${eventId}`)).body.id).toBe(message.body.id);
      await eventually(async () => {
        const attempts = await admin.get<ListOut<AttemptOut>>(`/api/v1/app/${appUid}/attempt/endpoint/${endpointUid}`);
        expect(attempts.body.data.map((attempt) => attempt.msgId)).toEqual([message.body.id]);
      });
    });

    it("refuses a send to an application's old uid at once, and to a deleted one on every instance, though sends find applications in memory", async () => {
      const oldUid = `india-${short()}`;
      const newUid = `india-${short()}`;
      const app = await adminSdk.application.create({ name: 'India', uid: oldUid });
      // A second ingest instance (the built service, its own process), which this one's changes cannot clear.
      const other = await startServiceProcess('ingest', pipeline.env);
      try {
        await waitReady(other, 60_000);
        const there = apiClient(`http://127.0.0.1:${other.healthPort}`, pipeline.adminToken);
        // Twice on each instance, so the second send is answered from its cache.
        for (const api of [admin, admin, there, there]) expect((await api.post(`/api/v1/app/${app.id}/msg`, { eventType, payload: {} })).status).toBe(202);
        expect((await admin.post(`/api/v1/app/${oldUid}/msg`, { eventType, payload: {} })).status).toBe(202);

        expect((await admin.patch(`/api/v1/app/${app.id}`, { uid: newUid })).status).toBe(200);
        expect(await admin.post(`/api/v1/app/${oldUid}/msg`, { eventType, payload: {} })).toMatchObject({ status: 404, body: { code: 'not_found' } });
        expect((await admin.post(`/api/v1/app/${newUid}/msg`, { eventType, payload: {} })).status).toBe(202);

        expect((await admin.delete(`/api/v1/app/${newUid}`)).status).toBe(204);
        expect(await admin.post(`/api/v1/app/${app.id}/msg`, { eventType, payload: {} })).toMatchObject({ status: 404, body: { code: 'not_found' } });
        // The other instance still holds the application in memory: the message's insert finds none.
        expect(await there.post(`/api/v1/app/${app.id}/msg`, { eventType, payload: {} })).toMatchObject({ status: 404, body: { code: 'not_found' } });
      } finally {
        other.process.kill('SIGTERM');
        await other.exited;
      }
    });

    it("never lets an application's uid shadow another application's id, in any case, on the API or the ingest topic", async () => {
      const victor = await tenant('Victor');
      const mallory = await tenant('Mallory');
      // No uid may look like an id, in either case, with any token.
      for (const uid of [victor.app.id, victor.app.id.toUpperCase()]) {
        for (const [method, path, json] of [
          ['PATCH', `/api/v1/app/${mallory.app.id}`, { uid }],
          ['POST', '/api/v1/app', { name: 'Shadow', uid }],
          ['POST', `/api/v1/app/${mallory.app.id}/endpoint`, { url: receiver.url('/shadow'), uid }],
        ] as const) {
          const reply = await admin.send<ValidationOut>(method, path, { json });
          expect({ method, path, status: reply.status, body: reply.body }).toEqual({
            method,
            path,
            status: 422,
            body: { detail: [{ loc: ['body', 'uid'], msg: 'must not look like an id (a UUID, in any case): ids and uids name resources in the same places', type: 'custom' }] },
          });
        }
      }
      // A uid stored before that rule: Victor's id in upper case, on Mallory's application.
      await db.query('UPDATE applications SET uid = $1 WHERE id = $2', [victor.app.id.toUpperCase(), mallory.app.id]);
      const upper = victor.app.id.toUpperCase();
      expect((await admin.get<AppOut>(`/api/v1/app/${upper}`)).body.id).toBe(victor.app.id);
      expect(await mallory.api.get(`/api/v1/app/${upper}/endpoint`)).toMatchObject({ status: 404, body: notFoundBody });
      // What the operator sends to Victor's id, in any case, reaches Victor's application, never Mallory's; so does a record keyed so.
      const viaApi = await admin.post<MessageOut>(`/api/v1/app/${upper}/msg`, { eventType, payload: { for: 'victor' } });
      expect(viaApi.status).toBe(202);
      const eventId = `via-topic-${short()}`;
      await publish(`${pipeline.env.HOOKLINE_TOPIC_PREFIX}.ingest`, [{ key: upper, value: JSON.stringify({ eventType, eventId, payload: { for: 'victor' } }) }]);
      await eventually(async () => {
        const messages = (await victor.api.get<ListOut<MessageOut>>(`/api/v1/app/${victor.app.id}/msg`)).body.data;
        expect(messages.map((item) => item.eventId ?? item.id).sort()).toEqual([eventId, viaApi.body.id].sort());
      });
      expect((await mallory.api.get<ListOut<MessageOut>>(`/api/v1/app/${mallory.app.id}/msg`)).body.data).toEqual([]);
    });

    it("never tells an application's key whether a uid is taken: only the admin token sets or changes a uid", async () => {
      const victor = await tenant('Whiskey');
      const mallory = await tenant('Xray');
      const refused = { status: 403, body: { code: 'forbidden', detail: "an application's uid is set or changed with the admin token only" } };
      const pick = ({ status, body }: Reply<unknown>) => ({ status, body });
      // Victor's uid and a free one get the same answer.
      for (const uid of [victor.app.uid, `free-${short()}`]) {
        expect(pick(await mallory.api.patch(`/api/v1/app/${mallory.app.id}`, { uid }))).toEqual(refused);
        expect(pick(await mallory.api.put(`/api/v1/app/${mallory.app.id}`, { name: 'Xray', uid }))).toEqual(refused);
      }
      // Through the svix SDK, a PUT that leaves the uid out keeps it.
      expect(await mallory.sdk.application.upsert(mallory.app.id, { name: 'Xray renamed' })).toMatchObject({ name: 'Xray renamed', uid: mallory.app.uid });
      // The admin token, which sees every application anyway, is told of a clash.
      expect(pick(await admin.patch(`/api/v1/app/${mallory.app.id}`, { uid: victor.app.uid }))).toEqual({ status: 409, body: { code: 'conflict', detail: expect.any(String) } });
    });
  });
});

describe('endpoint URLs when plain HTTP and private addresses are not allowed', () => {
  let pipeline: Pipeline;
  let admin: ApiClient;
  let base: string;

  beforeAll(async () => {
    pipeline = await startPipeline('api-policy', { HOOKLINE_DELIVERY_ALLOW_HTTP: 'false', HOOKLINE_DELIVERY_ALLOWED_SUBNETS: '' });
    admin = apiClient(pipeline.apiUrl, pipeline.adminToken);
    const app = await admin.post<AppOut>('/api/v1/app', { name: 'Policy' });
    base = `/api/v1/app/${app.body.id}/endpoint`;
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('refuses http:// and private, loopback, link-local, CGNAT and mapped addresses with 422 on url', async () => {
    // None of these is ever contacted: registration judges the URL without connecting.
    const refused = [
      'http://hooks.example.com/webhook',
      'https://127.0.0.1/webhook',
      'https://10.1.2.3/webhook',
      'https://192.168.1.1/webhook',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/webhook',
      'https://[::1]/webhook',
      'https://[fd00::1]/webhook',
      'https://[::ffff:127.0.0.1]/webhook',
      'https://user:pass@hooks.example.com/webhook',
    ];
    for (const url of refused) {
      const reply = await admin.post<ValidationOut>(base, { url });
      expect({ url, status: reply.status, locs: reply.status === 422 ? locs(reply) : reply.body }).toEqual({ url, status: 422, locs: [['body', 'url']] });
    }
    expect((await admin.get<ListOut<EndpointOut>>(base)).body.data).toEqual([]);
  });

  it('accepts an https:// host name, and refuses to change it to http:// or a private address', async () => {
    const created = await admin.post<EndpointOut>(base, { url: 'https://hooks.example.com/webhook' });
    expect(created.status).toBe(201);
    for (const url of ['http://hooks.example.com/webhook', 'https://10.0.0.1/webhook']) {
      const patched = await admin.patch<ValidationOut>(`${base}/${created.body.id}`, { url });
      expect({ url, status: patched.status, locs: locs(patched) }).toEqual({ url, status: 422, locs: [['body', 'url']] });
      const replaced = await admin.put<ValidationOut>(`${base}/${created.body.id}`, { url });
      expect({ url, status: replaced.status, locs: locs(replaced) }).toEqual({ url, status: 422, locs: [['body', 'url']] });
    }
    expect((await admin.get<EndpointOut>(`${base}/${created.body.id}`)).body.url).toBe('https://hooks.example.com/webhook');
    await admin.delete(`${base}/${created.body.id}`);
  });
});
