import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApiException, Svix } from 'svix';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/env.js';
import { usePipeline } from '../support/pipeline.js';
import { useReceiver } from '../support/receiver.js';
import { type Exchange, notServedInReadme, problemsAgainst, recordingFetch, returnModelOf, sdkMethods } from '../support/svix-sdk.js';

// The contract with the official svix SDK (the version package.json pins), against the running
// stack: every method of the SDK is either exercised here, through an unchanged client, with
// each answer checked field by field against the model the SDK parses it with (read from the
// SDK's own sources), or named in the README's list of methods Hookline does not serve, with a
// reason. A method an SDK upgrade adds, or a route that goes missing, fails this file.

/**
 * Methods whose routes other engineers are building on their branches. Each is still exercised
 * below, and must answer 404 or 405 until its route lands; then this file fails, saying to take
 * it off this list, so that its checks run. The list is closed at merge.
 */
const PENDING: Record<string, string> = {};

/** Fields Hookline adds to a model, which the SDK ignores: documented in the README. */
const HOOKLINE_FIELDS: Record<string, readonly string[]> = {
  // Svix's older `version`, the verification handshake's state (README, "Endpoint verification"),
  // the payload filter and the delivery order (README, "Payload filters", "Ordered delivery").
  EndpointOut: ['version', 'verificationRequired', 'verifiedAt', 'disabledReason', 'failingSince', 'filter', 'ordering'],
  // The message's ordering key (README, "Ordered delivery") and the trace it came in with, as an
  // attempt's trace (README, "Traces in the console").
  MessageOut: ['orderingKey', 'traceId'],
  EndpointMessageOut: ['orderingKey', 'traceId'],
  MessageAttemptOut: ['traceId'],
  // Whether the endpoint's circuit is open now (README, "Stats").
  EndpointStats: ['circuitOpen'],
};

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the svix SDK against Hookline: every method served and checked, or listed as not served', () => {
  const ctx = usePipeline('svix-contract', { eventType: { prefix: 'contract.order', description: 'An order, with example payloads' } });
  const receiver = useReceiver();
  const exchanges: Exchange[] = [];
  const exercised = new Set<string>();
  const pendingSeen = new Set<string>();
  const short = () => randomUUID().slice(0, 8);

  /**
   * A client whose every call is checked: the answer's raw JSON against the model the SDK parses
   * it with (no body where the method returns nothing), then the method counts as exercised.
   */
  function checkedClient(token: string): Svix {
    const client = new Svix(token, { serverUrl: ctx.pipeline.apiUrl, fetch: recordingFetch(exchanges), numRetries: 0 });
    const wrap = <T extends object>(target: T, prefix: string): T =>
      new Proxy(target, {
        get(object, name) {
          const value = Reflect.get(object, name) as unknown;
          if (typeof name !== 'string') return value;
          const method = `${prefix}${name}`;
          if (typeof value === 'function') {
            return async (...args: unknown[]) => {
              const mark = exchanges.length;
              const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(object, args);
              const exchange = exchanges.slice(mark).at(-1)!;
              const model = returnModelOf(method);
              if (model === null) expect({ method, status: exchange.status, body: exchange.body }).toEqual({ method, status: 204, body: '' });
              else expect({ method, problems: problemsAgainst(JSON.parse(exchange.body), model, HOOKLINE_FIELDS) }).toEqual({ method, problems: [] });
              exercised.add(method);
              return result;
            };
          }
          return value !== null && typeof value === 'object' ? wrap(value, `${method}.`) : value;
        },
      });
    return wrap(client, '');
  }

  /** Runs the calls of one method; while it is pending on another branch, they must meet a 404 or 405 (its route is not there yet). */
  async function served(method: string, calls: () => Promise<unknown>): Promise<void> {
    if (!(method in PENDING)) {
      await calls();
      expect({ method, exercised: exercised.has(method) }).toEqual({ method, exercised: true });
      return;
    }
    const refused = await calls().then(
      () => null,
      (error: unknown) => error,
    );
    const status = refused instanceof ApiException ? refused.code : refused;
    expect({ method, notThereYet: status === 404 || status === 405, status }).toEqual({ method, notThereYet: true, status, ...(status === null && { hint: `served now: take ${method} off PENDING` }) });
    pendingSeen.add(method);
  }

  /** The answer of a call expected to fail: the SDK's ApiException status. */
  async function statusOf(call: Promise<unknown>): Promise<number> {
    try {
      await call;
    } catch (error) {
      if (error instanceof ApiException) return error.code;
      throw error;
    }
    throw new Error('expected an error answer');
  }

  let sdk: Svix;
  let appId: string;
  let endpointId: string;
  let msgId: string;
  let attemptId: string;
  const flagged = `contract.beta.${short()}`;
  const examples = [{ order: 'o-1', total: 10 }, { order: 'o-2', total: 20 }];

  beforeAll(() => {
    sdk = checkedClient(ctx.pipeline.adminToken);
  });

  it('health: the SDK’s check, and the open-source server’s ping', async () => {
    await served('health.get', () => sdk.health.get());
    const ping = await fetch(`${ctx.pipeline.apiUrl}/api/v1/health/ping`);
    expect([ping.status, await ping.text()]).toEqual([204, '']);
  });

  it('event types: schemas with examples by version, feature flags, group, deprecation, upsert, archive and expunge', async () => {
    const schemas = { '1': { type: 'object', properties: { order: { type: 'string' }, total: { type: 'number' } }, required: ['order'], examples } };
    await served('eventType.patch', async () => {
      expect(await sdk.eventType.patch(ctx.eventType, { schemas, groupName: 'orders', deprecated: true })).toMatchObject({ schemas, groupName: 'orders', deprecated: true });
    });
    await served('eventType.create', async () => {
      expect(await sdk.eventType.create({ name: flagged, description: 'Only for beta', featureFlags: ['beta'] })).toMatchObject({ name: flagged, featureFlags: ['beta'], featureFlag: 'beta' });
    });
    await served('eventType.get', async () => {
      expect(await sdk.eventType.get(ctx.eventType)).toMatchObject({ name: ctx.eventType, schemas, groupName: 'orders' });
    });
    await served('eventType.list', async () => {
      const listed = await sdk.eventType.list({ withContent: true, limit: 250 });
      expect(listed.data.find((type) => type.name === ctx.eventType)?.schemas).toEqual(schemas);
      expect((await sdk.eventType.list({ limit: 250 })).data.find((type) => type.name === ctx.eventType)?.schemas).toBeNull();
    });
    const created = `contract.upserted.${short()}`;
    await served('eventType.upsert', async () => {
      expect(await sdk.eventType.upsert(created, { description: 'created by PUT' })).toMatchObject({ name: created, description: 'created by PUT', archived: false });
      expect(await sdk.eventType.upsert(created, { description: 'changed by PUT' })).toMatchObject({ description: 'changed by PUT' });
    });
    await served('eventType.delete', async () => {
      await sdk.eventType.delete(created);
      expect(await sdk.eventType.get(created)).toMatchObject({ archived: true });
      await sdk.eventType.delete(created, { expunge: true });
      expect(await statusOf(sdk.eventType.get(created))).toBe(404);
    });
    const invalid = await ctx.admin.post('/api/v1/event-type', { name: `contract.bad.${short()}`, description: 'x', schemas: { '1': { type: 'object', required: 'order' } } });
    expect(invalid).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'schemas', '1', 'required'] }] } });
  });

  it('applications: create, getOrCreate, get, list, upsert (creating), patch, delete', async () => {
    const uid = `contract-${short()}`;
    await served('application.create', async () => {
      appId = (await sdk.application.create({ name: 'Contract', uid })).id;
    });
    await served('application.getOrCreate', async () => {
      expect((await sdk.application.getOrCreate({ name: 'Contract again', uid })).id).toBe(appId);
    });
    await served('application.get', async () => {
      expect(await sdk.application.get(uid)).toMatchObject({ id: appId, name: 'Contract', uid });
    });
    await served('application.list', async () => {
      let iterator: string | null = null;
      const ids: string[] = [];
      for (let page = 0; page < 100; page++) {
        const listed = await sdk.application.list({ limit: 50, iterator });
        ids.push(...listed.data.map((app) => app.id));
        if (listed.done) break;
        iterator = listed.iterator;
      }
      expect(ids).toContain(appId);
    });
    const other = `contract-upserted-${short()}`;
    await served('application.upsert', async () => {
      expect(await sdk.application.upsert(other, { name: 'Created by PUT' })).toMatchObject({ uid: other, name: 'Created by PUT' });
      expect(await sdk.application.upsert(other, { name: 'Changed by PUT' })).toMatchObject({ uid: other, name: 'Changed by PUT' });
    });
    await served('application.patch', async () => {
      expect(await sdk.application.patch(other, { metadata: { tier: 'gold' } })).toMatchObject({ name: 'Changed by PUT', metadata: { tier: 'gold' } });
    });
    await served('application.delete', async () => {
      await sdk.application.delete(other);
      expect(await statusOf(sdk.application.get(other))).toBe(404);
    });
  });

  it('endpoints: CRUD with upsert, the secret and its rotation, the extra headers', async () => {
    await served('endpoint.create', async () => {
      endpointId = (await sdk.endpoint.create(appId, { url: receiver.url('/contract'), eventTypes: [ctx.eventType], uid: `ep-${short()}` })).id;
    });
    await served('endpoint.list', async () => {
      expect((await sdk.endpoint.list(appId)).data.map((endpoint) => endpoint.id)).toEqual([endpointId]);
    });
    await served('endpoint.get', async () => {
      expect(await sdk.endpoint.get(appId, endpointId)).toMatchObject({ id: endpointId, url: receiver.url('/contract') });
    });
    await served('endpoint.patch', async () => {
      expect(await sdk.endpoint.patch(appId, endpointId, { description: 'patched' })).toMatchObject({ description: 'patched' });
    });
    const upserted = `ep-upserted-${short()}`;
    await served('endpoint.upsert', async () => {
      expect(await sdk.endpoint.upsert(appId, upserted, { url: receiver.url('/upserted') })).toMatchObject({ uid: upserted, url: receiver.url('/upserted') });
      expect(await sdk.endpoint.upsert(appId, endpointId, { url: receiver.url('/contract'), eventTypes: [ctx.eventType], description: 'replaced' })).toMatchObject({ id: endpointId, description: 'replaced' });
    });
    await served('endpoint.delete', async () => {
      await sdk.endpoint.delete(appId, upserted);
      expect(await statusOf(sdk.endpoint.get(appId, upserted))).toBe(404);
    });
    await served('endpoint.getSecret', async () => {
      expect((await sdk.endpoint.getSecret(appId, endpointId)).key).toMatch(/^whsec_/);
    });
    await served('endpoint.rotateSecret', async () => {
      const before = await sdk.endpoint.getSecret(appId, endpointId);
      await sdk.endpoint.rotateSecret(appId, endpointId, {});
      expect((await sdk.endpoint.getSecret(appId, endpointId)).key).not.toBe(before.key);
    });
    await served('endpoint.setHeaders', async () => {
      await sdk.endpoint.setHeaders(appId, endpointId, { headers: { 'X-Tenant': 'contract', Authorization: 'Bearer receiver-secret' } });
    });
    await served('endpoint.getHeaders', async () => {
      expect(await sdk.endpoint.getHeaders(appId, endpointId)).toEqual({ headers: { 'X-Tenant': 'contract' }, sensitive: ['Authorization'] });
    });
    await served('endpoint.patchHeaders', async () => {
      await sdk.endpoint.patchHeaders(appId, endpointId, { headers: { 'X-Region': 'eu' }, deleteHeaders: ['Authorization'] });
      expect(await sdk.endpoint.getHeaders(appId, endpointId)).toEqual({ headers: { 'X-Tenant': 'contract', 'X-Region': 'eu' }, sensitive: [] });
    });
    await served('endpoint.getStats', () => sdk.endpoint.getStats(appId, endpointId));
  });

  it('messages and attempts: send, precheck, list, the attempts by message and endpoint, one attempt, attempted messages and destinations, resend', async () => {
    await served('message.precheck', async () => {
      expect(await sdk.message.precheck(appId, { eventType: ctx.eventType })).toEqual({ active: true });
      expect(await sdk.message.precheck(appId, { eventType: flagged })).toEqual({ active: false });
    });
    const payload = { order: 'o-live', total: 42 };
    await served('message.create', async () => {
      msgId = (await sdk.message.create(appId, { eventType: ctx.eventType, payload, eventId: `evt-${short()}` })).id;
    });
    await served('message.get', async () => {
      expect(await sdk.message.get(appId, msgId)).toMatchObject({ id: msgId, payload });
    });
    await served('message.list', async () => {
      expect((await sdk.message.list(appId, { eventTypes: [ctx.eventType] })).data.map((message) => message.id)).toContain(msgId);
    });
    const delivered = await eventually(() => {
      const requests = receiver.on('/contract');
      expect(requests).toHaveLength(1);
      return requests[0]!;
    });
    // The extra headers go with the delivery.
    expect(delivered.headers).toMatchObject({ 'x-tenant': 'contract', 'x-region': 'eu' });
    await served('messageAttempt.listByMsg', async () => {
      const attempts = await eventually(async () => {
        const listed = await sdk.messageAttempt.listByMsg(appId, msgId, { withContent: true });
        expect(listed.data).toHaveLength(1);
        return listed.data;
      });
      expect(attempts[0]).toMatchObject({ msgId, endpointId, status: 0, responseStatusCode: 200 });
      attemptId = attempts[0]!.id;
      expect((await sdk.messageAttempt.listByMsg(appId, msgId, { status: 2 })).data).toEqual([]);
    });
    await served('messageAttempt.listByEndpoint', async () => {
      const [attempt] = (await sdk.messageAttempt.listByEndpoint(appId, endpointId, { withMsg: true, statusCodeClass: 200 })).data;
      expect(attempt).toMatchObject({ id: attemptId, msg: { id: msgId, eventType: ctx.eventType } });
    });
    await served('messageAttempt.get', async () => {
      expect(await sdk.messageAttempt.get(appId, msgId, attemptId)).toMatchObject({ id: attemptId, msgId, endpointId, status: 0 });
    });
    await served('messageAttempt.listAttemptedMessages', async () => {
      const listed = await eventually(async () => {
        const page = await sdk.messageAttempt.listAttemptedMessages(appId, endpointId, { status: 0 });
        expect(page.data.map((message) => message.id)).toEqual([msgId]);
        return page;
      });
      expect(listed.data[0]).toMatchObject({ id: msgId, status: 0, statusText: 'success', nextAttempt: null });
    });
    await served('messageAttempt.listAttemptedDestinations', async () => {
      const [destination] = (await sdk.messageAttempt.listAttemptedDestinations(appId, msgId)).data;
      expect(destination).toMatchObject({ id: endpointId, url: receiver.url('/contract'), status: 0, statusText: 'success' });
    });
    await served('messageAttempt.resend', async () => {
      await sdk.messageAttempt.resend(appId, msgId, endpointId);
      await eventually(async () => expect((await sdk.messageAttempt.listByMsg(appId, msgId)).data.map((attempt) => attempt.triggerType)).toEqual([1, 0]));
    });
    await served('messageAttempt.expungeContent', () => sdk.messageAttempt.expungeContent(appId, msgId, attemptId));
    await served('message.expungeContent', async () => {
      await sdk.message.expungeContent(appId, msgId);
      expect((await sdk.message.get(appId, msgId)).payload).toEqual({ expired: true });
    });
  });

  it('what the open-source server serves beyond the SDK, through plain HTTP: the deprecated attempt listings and generate-example', async () => {
    const api = apiClient(ctx.pipeline.apiUrl, ctx.pipeline.adminToken);
    type Page = { data: Array<{ id: string; endpointId: string; status: number }>; done: boolean; iterator: string | null; prevIterator: string | null };
    const ids = (page: { data: Array<{ id: string }> }) => page.data.map((attempt) => attempt.id);

    // Listed by message: the same attempts as listByMsg, in Svix's ListResponseMessageAttemptOut.
    const current = await sdk.messageAttempt.listByMsg(appId, msgId);
    expect(current.data.length).toBeGreaterThan(0);
    const byMessage = await api.get<Page>(`/api/v1/app/${appId}/msg/${msgId}/attempt`);
    expect({ status: byMessage.status, problems: problemsAgainst(byMessage.body, 'ListResponseMessageAttemptOut', HOOKLINE_FIELDS) }).toEqual({ status: 200, problems: [] });
    expect(ids(byMessage.body)).toEqual(ids(current));
    // Its filters and pages: one attempt a page, the next after the iterator.
    const first = await api.get<Page>(`/api/v1/app/${appId}/msg/${msgId}/attempt?limit=1&endpoint_id=${endpointId}&status=0`);
    expect(first.body).toMatchObject({ data: [{ id: current.data[0]!.id, endpointId, status: 0 }], done: false });
    const second = await api.get<Page>(`/api/v1/app/${appId}/msg/${msgId}/attempt?limit=1&iterator=${first.body.iterator}`);
    expect(ids(second.body)).toEqual([current.data[1]!.id]);
    // And back: the second page's prevIterator names the page before it.
    const back = await api.get<Page>(`/api/v1/app/${appId}/msg/${msgId}/attempt?limit=1&iterator=${second.body.prevIterator}`);
    expect(ids(back.body)).toEqual([current.data[0]!.id]);
    expect((await api.get<Page>(`/api/v1/app/${appId}/msg/${msgId}/attempt?status=2`)).body.data).toEqual([]);
    // Unlike listByMsg, which finds no attempts to an endpoint the application lacks, this one answers 404, as Svix's does.
    expect((await sdk.messageAttempt.listByMsg(appId, msgId, { endpointId: `ep-${short()}` })).data).toEqual([]);
    expect((await api.get(`/api/v1/app/${appId}/msg/${msgId}/attempt?endpoint_id=ep-${short()}`)).status).toBe(404);

    // Listed by message and endpoint (the path names it): the same attempts; an endpoint the application lacks is a 404.
    const toEndpoint = await api.get<Page>(`/api/v1/app/${appId}/msg/${msgId}/endpoint/${endpointId}/attempt`);
    expect({ status: toEndpoint.status, problems: problemsAgainst(toEndpoint.body, 'ListResponseMessageAttemptOut', HOOKLINE_FIELDS) }).toEqual({ status: 200, problems: [] });
    expect(ids(toEndpoint.body)).toEqual(ids(current));
    expect((await api.get(`/api/v1/app/${appId}/msg/${msgId}/endpoint/ep-${short()}/attempt`)).status).toBe(404);
    expect((await api.get(`/api/v1/app/${appId}/msg/msg-${short()}/endpoint/${endpointId}/attempt`)).status).toBe(404);

    // A list in the query the way PHP and Rails clients send one, which the open-source server takes too.
    const ofTypes = async (query: string) => (await api.get<{ data: Array<{ id: string }> }>(`/api/v1/app/${appId}/msg?${query}`)).body.data.map((message) => message.id);
    expect(await ofTypes(`event_types[]=${ctx.eventType}&event_types[]=other.type`)).toContain(msgId);
    expect(await ofTypes(`event_types[0]=other.type&event_types[1]=${ctx.eventType}`)).toContain(msgId);
    expect(await ofTypes('event_types[]=other.type')).toEqual([]);

    // Both are deprecated in the document, as in Svix's.
    const document = (await api.get<{ paths: Record<string, { get?: { deprecated?: boolean } }> }>('/api/v1/openapi.json')).body;
    expect(document.paths['/api/v1/app/{app_id}/msg/{msg_id}/attempt']?.get?.deprecated).toBe(true);
    expect(document.paths['/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/attempt']?.get?.deprecated).toBe(true);

    // generate-example answers with the schema's own first example; it invents none.
    const path = '/api/v1/event-type/schema/generate-example';
    const schema = { type: 'object', properties: { order: { type: 'string' }, total: { type: 'number' } } };
    expect(await api.post(path, { schema: { ...schema, examples } })).toMatchObject({ status: 200, body: { example: examples[0] } });
    expect(await api.post(path, { schema: { ...schema, example: examples[1] } })).toMatchObject({ status: 200, body: { example: examples[1] } });
    // A schema without an example, or whose first one is not an object, is refused as the document says.
    expect(await api.post(path, { schema })).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'schema'] }] } });
    expect(await api.post(path, { schema: { ...schema, examples: ['o-1'] } })).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'schema'] }] } });
    expect(await api.post(path, { schema: { type: 12 } })).toMatchObject({ status: 422, body: { detail: expect.arrayContaining([expect.objectContaining({ loc: ['body', 'schema', 'type'] })]) } });
    // The admin token's: an application's key gets a 403.
    const appKey = (await api.post<{ key: string }>(`/api/v1/app/${appId}/api-key`, { name: 'generate-example' })).body.key;
    expect((await apiClient(ctx.pipeline.apiUrl, appKey).post(path, { schema: { ...schema, examples } })).status).toBe(403);
  });

  it("endpoints: the open-source server's field names, filterTypes and rateLimit, taken for eventTypes and throttleRate", async () => {
    const api = apiClient(ctx.pipeline.apiUrl, ctx.pipeline.adminToken);
    type Endpoint = { id: string; eventTypes: string[] | null; throttleRate: number | null };
    const url = receiver.url('/server-names');
    const created = await api.post<Endpoint>(`/api/v1/app/${appId}/endpoint`, { url, filterTypes: [ctx.eventType], rateLimit: 5 });
    expect(created).toMatchObject({ status: 201, body: { eventTypes: [ctx.eventType], throttleRate: 5 } });
    const { id } = created.body;
    expect(await api.patch(`/api/v1/app/${appId}/endpoint/${id}`, { filterTypes: [flagged], rateLimit: null })).toMatchObject({ status: 200, body: { eventTypes: [flagged], throttleRate: null } });
    expect(await api.put(`/api/v1/app/${appId}/endpoint/${id}`, { url, filterTypes: [ctx.eventType], eventTypes: [ctx.eventType] })).toMatchObject({ status: 200, body: { eventTypes: [ctx.eventType] } });
    // Both names with different values: which was meant is not known, so neither is taken.
    const conflicting = await api.patch(`/api/v1/app/${appId}/endpoint/${id}`, { filterTypes: [flagged], eventTypes: [ctx.eventType], rateLimit: 7, throttleRate: 8 });
    expect(conflicting).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ['body', 'filterTypes'], msg: expect.stringContaining('"eventTypes"'), type: 'alias_conflict' }, { loc: ['body', 'rateLimit'], msg: expect.stringContaining('"throttleRate"'), type: 'alias_conflict' }] },
    });
    expect((await api.get<Endpoint>(`/api/v1/app/${appId}/endpoint/${id}`)).body).toMatchObject({ eventTypes: [ctx.eventType], throttleRate: null });
    expect((await api.post(`/api/v1/app/${appId}/endpoint`, { url, filterTypes: [] })).status).toBe(422);
    expect((await api.delete(`/api/v1/app/${appId}/endpoint/${id}`)).status).toBe(204);
  });

  it('answers 201 when a PUT (or a getOrCreate) creates and 200 when it finds, as the open-source server does', async () => {
    const api = apiClient(ctx.pipeline.apiUrl, ctx.pipeline.adminToken);
    const statuses = async (path: string, body: object, method: 'put' | 'post' = 'put') => [(await api[method](path, body)).status, (await api[method](path, body)).status];
    const name = `upserted-${short()}`;
    expect(await statuses(`/api/v1/app/${name}`, { name })).toEqual([201, 200]);
    expect(await statuses(`/api/v1/app?get_if_exists=true`, { name: 'got', uid: `got-${short()}` }, 'post')).toEqual([201, 200]);
    expect(await statuses(`/api/v1/app/${appId}/endpoint/${name}`, { url: receiver.url('/upserted') })).toEqual([201, 200]);
    expect(await statuses(`/api/v1/event-type/${name}`, { description: 'upserted' })).toEqual([201, 200]);
    expect(await statuses(`/api/v1/operational-webhook/endpoint/${name}`, { url: receiver.url('/upserted-ops') })).toEqual([201, 200]);
    // The document lists both.
    const document = (await api.get<{ paths: Record<string, { put?: { responses: object } }> }>('/api/v1/openapi.json')).body;
    expect(Object.keys(document.paths['/api/v1/app/{app_id}']!.put!.responses)).toEqual(expect.arrayContaining(['200', '201']));
    await api.delete(`/api/v1/operational-webhook/endpoint/${name}`);
    await api.delete(`/api/v1/app/${appId}/endpoint/${name}`);
  });

  it("endpoints: send-example sends the chosen example of the type's schemas to that endpoint alone; recover", async () => {
    const bystander = await sdk.endpoint.create(appId, { url: receiver.url('/bystander'), eventTypes: [ctx.eventType] });
    await served('endpoint.sendExample', async () => {
      const message = await sdk.endpoint.sendExample(appId, endpointId, { eventType: ctx.eventType, exampleIndex: 1 });
      expect(message).toMatchObject({ eventType: ctx.eventType, payload: examples[1] });
      await eventually(() => expect(receiver.on('/contract').map((request) => JSON.parse(request.body) as unknown)).toContainEqual(examples[1]));
    });
    expect(receiver.on('/bystander')).toEqual([]);
    // A 200 with the message, as the open-source server answers (a message sent through the API gets a 202).
    const direct = await apiClient(ctx.pipeline.apiUrl, ctx.pipeline.adminToken).post(`/api/v1/app/${appId}/endpoint/${endpointId}/send-example`, { eventType: ctx.eventType });
    expect(direct).toMatchObject({ status: 200, body: { eventType: ctx.eventType, payload: examples[0] } });
    await served('endpoint.recover', async () => {
      expect(await sdk.endpoint.recover(appId, bystander.id, { since: new Date(Date.now() - 3_600_000) })).toMatchObject({ status: 'finished', task: 'endpoint.recover' });
    });
  });

  it('authentication: a portal link whose token reaches one application, for the portal’s operations only, until logout or expire-all', async () => {
    let link = '';
    let token = '';
    await served('authentication.appPortalAccess', async () => {
      ({ url: link, token } = await sdk.authentication.appPortalAccess(appId, { featureFlags: ['beta'], sessionId: 'contract' }));
    });
    const url = new URL(link);
    expect([url.origin, url.pathname, Object.fromEntries(new URLSearchParams(url.hash.slice(1)))]).toEqual([ctx.pipeline.apiUrl, '/portal/', { app: appId, token }]);

    const portal = checkedClient(token);
    const raw = apiClient(ctx.pipeline.apiUrl, token);
    expect((await portal.application.get(appId)).id).toBe(appId);
    expect((await portal.endpoint.list(appId)).data.map((endpoint) => endpoint.id)).toContain(endpointId);
    expect((await portal.messageAttempt.listByMsg(appId, msgId)).data.length).toBeGreaterThan(0);
    expect((await portal.eventType.list({ limit: 250 })).data.map((type) => type.name)).toContain(flagged);
    expect(await portal.endpoint.getStats(appId, endpointId)).toMatchObject({ sending: 0, canceled: 0 });
    const other = await sdk.application.create({ name: 'Someone else' });
    expect({
      list: await statusOf(portal.application.list()),
      otherApp: await statusOf(portal.application.get(other.id)),
      otherEndpoints: await statusOf(portal.endpoint.list(other.id)),
      rename: await statusOf(portal.application.patch(appId, { name: 'renamed' })),
      newPortal: await statusOf(portal.authentication.appPortalAccess(appId, {})),
      // A signed message is the provider's word to its customer: the portal sends only examples.
      send: await statusOf(portal.message.create(appId, { eventType: ctx.eventType, payload: { paid: true } })),
      apiKey: (await raw.post(`/api/v1/app/${appId}/api-key`, { name: 'k' })).status,
      deadLetters: (await raw.get(`/api/v1/app/${appId}/dead-letter`)).status,
      replay: (await raw.post(`/api/v1/app/${appId}/dead-letter/replay`, {})).status,
      createEventType: await statusOf(portal.eventType.create({ name: `contract.${short()}`, description: 'x' })),
      admin: (await raw.post('/api/v1/admin/secrets/re-encrypt', {})).status,
      otherEndpointStats: await statusOf(portal.endpoint.getStats(other.id, endpointId)),
      appStats: (await raw.get(`/api/v1/app/${appId}/stats`)).status,
      overview: (await raw.get('/api/v1/stats/overview')).status,
      operational: (await raw.get('/api/v1/operational-webhook/endpoint')).status,
    }).toEqual({ list: 403, otherApp: 404, otherEndpoints: 404, rename: 403, newPortal: 403, send: 403, apiKey: 403, deadLetters: 403, replay: 403, createEventType: 403, admin: 403, otherEndpointStats: 404, appStats: 403, overview: 403, operational: 403 });

    // A session without the flag does not see the flagged type.
    const plain = checkedClient((await sdk.authentication.appPortalAccess(appId, {})).token);
    expect((await plain.eventType.list({ limit: 250 })).data.map((type) => type.name)).not.toContain(flagged);
    expect(await statusOf(plain.eventType.get(flagged))).toBe(404);

    // Only a portal token logs out, and only itself.
    expect(await statusOf(sdk.authentication.logout())).toBe(403);
    await served('authentication.logout', () => portal.authentication.logout());
    expect(await statusOf(portal.application.get(appId))).toBe(401);
    expect((await plain.application.get(appId)).id).toBe(appId);

    await served('authentication.expireAll', async () => {
      await sdk.authentication.expireAll(appId, {});
      expect(await statusOf(plain.application.get(appId))).toBe(401);
    });
  });

  it('operational webhook endpoints', async () => {
    let operational = '';
    await served('operationalWebhook.endpoint.create', async () => {
      operational = (await sdk.operationalWebhook.endpoint.create({ url: receiver.url('/operational'), eventTypes: ['endpoint.disabled'] })).id;
    });
    await served('operationalWebhook.endpoint.list', async () => {
      expect((await sdk.operationalWebhook.endpoint.list()).data.map((endpoint) => endpoint.id)).toContain(operational);
    });
    await served('operationalWebhook.endpoint.get', async () => {
      expect(await sdk.operationalWebhook.endpoint.get(operational)).toMatchObject({ id: operational, url: receiver.url('/operational') });
    });
    await served('operationalWebhook.endpoint.upsert', async () => {
      expect(await sdk.operationalWebhook.endpoint.upsert(operational, { url: receiver.url('/operational/2') })).toMatchObject({ url: receiver.url('/operational/2') });
    });
    await served('operationalWebhook.endpoint.getSecret', async () => {
      expect((await sdk.operationalWebhook.endpoint.getSecret(operational)).key).toMatch(/^whsec_/);
    });
    await served('operationalWebhook.endpoint.rotateSecret', () => sdk.operationalWebhook.endpoint.rotateSecret(operational, {}));
    await served('operationalWebhook.endpoint.setHeaders', () => sdk.operationalWebhook.endpoint.setHeaders(operational, { headers: { 'X-Operator': 'contract' } }));
    await served('operationalWebhook.endpoint.getHeaders', async () => {
      expect((await sdk.operationalWebhook.endpoint.getHeaders(operational)).headers).toEqual({ 'X-Operator': 'contract' });
    });
    await served('operationalWebhook.endpoint.delete', async () => {
      await sdk.operationalWebhook.endpoint.delete(operational);
      expect(await statusOf(sdk.operationalWebhook.endpoint.get(operational))).toBe(404);
    });
  });

  it("covers every method of the SDK: exercised above, pending on another branch, or in the README's list with a reason", () => {
    const notServed = notServedInReadme(README);
    const methods = sdkMethods();
    expect([...notServed.keys()].filter((method) => !methods.includes(method))).toEqual([]);
    expect([...notServed].filter(([, reason]) => reason.length < 10)).toEqual([]);
    expect([...notServed.keys()].filter((method) => exercised.has(method) || method in PENDING)).toEqual([]);
    expect(Object.keys(PENDING).filter((method) => !pendingSeen.has(method))).toEqual([]);
    expect(methods.filter((method) => !exercised.has(method) && !pendingSeen.has(method) && !notServed.has(method))).toEqual([]);
  });
});
