import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { apiClient, documentedOperations, type Reply } from '../support/api-client.js';
import { eventually } from '../support/env.js';
import { usePipeline } from '../support/pipeline.js';

// Who may manage API keys and how fast guessing tokens is refused: listing and revoking keys,
// the invalid-token limit per client address, and bodies refused before they are read. Only
// ingest runs, against the real PostgreSQL and Kafka, over real HTTP.

const short = () => randomUUID().slice(0, 8);

interface KeySummary {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

const pick = ({ status, body }: Reply<unknown>) => ({ status, body });

describe('API keys and authentication', () => {
  const ctx = usePipeline('access', { env: { HOOKLINE_API_INVALID_TOKEN_RATE_LIMIT: '5' }, inProcess: ['ingest'] });

  async function application(): Promise<string> {
    const app = await ctx.admin.post<{ id: string }>('/api/v1/app', { name: `Access ${short()}` });
    expect(app.status).toBe(201);
    return app.body.id;
  }

  it('lists an application\'s keys without the keys themselves, and revokes one so that it is refused at once', async () => {
    const appId = await application();
    const created = await Promise.all(['backend', 'portal'].map(async (name) => (await ctx.admin.post<{ id: string; key: string }>(`/api/v1/app/${appId}/api-key`, { name })).body));
    const [backend, portal] = created as [{ id: string; key: string }, { id: string; key: string }];
    const backendApi = apiClient(ctx.pipeline.apiUrl, backend.key);
    // Used, and so held in the instance's cache of keys.
    expect((await backendApi.get(`/api/v1/app/${appId}`)).status).toBe(200);

    const listed = await ctx.admin.get<{ data: KeySummary[]; done: boolean }>(`/api/v1/app/${appId}/api-key`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      data: [
        { id: backend.id, name: 'backend', createdAt: expect.any(String), revokedAt: null },
        { id: portal.id, name: 'portal', createdAt: expect.any(String), revokedAt: null },
      ],
      iterator: portal.id,
      prevIterator: `-${backend.id}`,
      done: true,
    });
    expect(JSON.stringify(listed.body)).not.toContain(backend.key);

    expect((await ctx.admin.delete(`/api/v1/app/${appId}/api-key/${backend.id}`)).status).toBe(204);
    // At once, though the key was cached a moment ago.
    expect(pick(await backendApi.get(`/api/v1/app/${appId}`))).toEqual({ status: 401, body: { code: 'authentication_failed', detail: 'invalid token' } });
    expect((await apiClient(ctx.pipeline.apiUrl, portal.key).get(`/api/v1/app/${appId}`)).status).toBe(200);
    const after = await ctx.admin.get<{ data: KeySummary[] }>(`/api/v1/app/${appId}/api-key`);
    expect(after.body.data.map(({ name, revokedAt }) => [name, revokedAt === null])).toEqual([
      ['backend', false],
      ['portal', true],
    ]);
    // Revoking again changes nothing; a key of another application, or none, is not found.
    expect((await ctx.admin.delete(`/api/v1/app/${appId}/api-key/${backend.id}`)).status).toBe(204);
    const otherApp = await application();
    expect(pick(await ctx.admin.delete(`/api/v1/app/${otherApp}/api-key/${portal.id}`))).toEqual({ status: 404, body: { code: 'not_found', detail: 'api key not found' } });
    expect(pick(await ctx.admin.delete(`/api/v1/app/${appId}/api-key/not-a-key`))).toEqual({ status: 404, body: { code: 'not_found', detail: 'api key not found' } });
    expect((await apiClient(ctx.pipeline.apiUrl, portal.key).get(`/api/v1/app/${appId}`)).status).toBe(200);
  });

  it("refuses an application's key to list or revoke keys, its own included, with 403", async () => {
    const appId = await application();
    const key = (await ctx.admin.post<{ id: string; key: string }>(`/api/v1/app/${appId}/api-key`, { name: 'self' })).body;
    const api = apiClient(ctx.pipeline.apiUrl, key.key);
    const forbidden = { status: 403, body: { code: 'forbidden', detail: 'this operation needs the admin token' } };
    expect(pick(await api.get(`/api/v1/app/${appId}/api-key`))).toEqual(forbidden);
    expect(pick(await api.delete(`/api/v1/app/${appId}/api-key/${key.id}`))).toEqual(forbidden);
    expect(pick(await api.post(`/api/v1/app/${appId}/api-key`, { name: 'more' }))).toEqual(forbidden);
    expect((await api.get(`/api/v1/app/${appId}`)).status).toBe(200);
  });

  it('answers 429 to an address that keeps sending invalid tokens, a forged X-Forwarded-For changing nothing, while known tokens go on', async () => {
    const appId = await application();
    // Earlier tests sent invalid tokens from this address too: wait until the bucket is full again
    // (its burst of 10 at 5 a second), so that this test starts from a known state.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const statuses: number[] = [];
    const started = Date.now();
    for (let n = 0; n < 30; n++) {
      const reply = await apiClient(ctx.pipeline.apiUrl, `hk_guess_${short()}`).send('GET', `/api/v1/app/${appId}`, { headers: { 'x-forwarded-for': `198.51.100.${n}` } });
      statuses.push(reply.status);
      if (reply.status === 429) {
        expect(reply.body).toEqual({ code: 'rate_limit_exceeded', detail: expect.stringMatching(/^more than 5 invalid tokens per second \(bursts of 10\) from this address; retry after \d+ s$/) });
        expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
    }
    const seconds = (Date.now() - started) / 1_000;
    // The burst of twice the rate is looked up (401); beyond it, only what the rate refilled while
    // the requests were sent (however slow the machine), and the rest are refused before.
    expect(statuses.slice(0, 10)).toEqual(Array.from({ length: 10 }, () => 401));
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(10 + Math.ceil(5 * seconds) + 1);
    expect(statuses).toContain(429);
    // The admin token, known to the instance, is never held back by it.
    expect((await ctx.admin.get(`/api/v1/app/${appId}`)).status).toBe(200);
  });

  /**
   * Every operation of the API document, called with `token` on `appId` (other ids unknown, empty
   * bodies, logout last since it ends a session): the ones it was not refused with 403. None may
   * answer 5xx, 401 or 429, which would say nothing of its access.
   */
  async function admittedTo(token: string, appId: string): Promise<string[]> {
    const client = apiClient(ctx.pipeline.apiUrl, token);
    // Known to the instance once it has been used: the invalid-token limit an earlier test filled for
    // this address holds back only lookups of tokens the instance does not know.
    await eventually(async () => expect((await client.get(`/api/v1/app/${appId}`)).status).toBe(200), 5_000, 250);
    const operations = await documentedOperations(ctx.admin);
    const logout = 'POST /api/v1/auth/logout';
    const admitted: string[] = [];
    for (const operation of [...operations.filter((other) => other !== logout), logout]) {
      const [method, template] = operation.split(' ') as [string, string];
      const path = template.replace('{app_id}', appId).replace(/\{\w+\}/g, () => randomUUID());
      const reply = await client.send(method, path, { json: ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined });
      expect({ operation, status: reply.status >= 500 || [401, 429].includes(reply.status) ? reply.status : 'answered' }).toEqual({ operation, status: 'answered' });
      if (reply.status === 403) expect({ operation, body: reply.body }).toEqual({ operation, body: { code: 'forbidden', detail: expect.any(String) } });
      else admitted.push(operation);
    }
    return admitted.sort();
  }

  it("lets an app-portal token reach exactly the portal's operations of the API document, and refuses every other with 403", async () => {
    // The README's table of what a portal token may do; a route whose access changes must change it.
    const portalMay = [
      'GET /api/v1/health',
      'GET /api/v1/health/ping',
      'POST /api/v1/auth/logout',
      'GET /api/v1/event-type',
      'GET /api/v1/event-type/{event_type_name}',
      'GET /api/v1/app/{app_id}',
      'GET /api/v1/app/{app_id}/endpoint',
      'POST /api/v1/app/{app_id}/endpoint',
      ...['GET', 'PUT', 'PATCH', 'DELETE'].map((method) => `${method} /api/v1/app/{app_id}/endpoint/{endpoint_id}`),
      'GET /api/v1/app/{app_id}/endpoint/{endpoint_id}/secret',
      'POST /api/v1/app/{app_id}/endpoint/{endpoint_id}/secret/rotate',
      ...['GET', 'PUT', 'PATCH'].map((method) => `${method} /api/v1/app/{app_id}/endpoint/{endpoint_id}/headers`),
      ...['verify', 'recover', 'send-example'].map((action) => `POST /api/v1/app/{app_id}/endpoint/{endpoint_id}/${action}`),
      'GET /api/v1/app/{app_id}/endpoint/{endpoint_id}/stats',
      'GET /api/v1/app/{app_id}/endpoint/{endpoint_id}/ordering',
      'GET /api/v1/app/{app_id}/msg',
      'GET /api/v1/app/{app_id}/msg/{msg_id}',
      'GET /api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}',
      'GET /api/v1/app/{app_id}/attempt/msg/{msg_id}',
      'GET /api/v1/app/{app_id}/endpoint/{endpoint_id}/msg',
      'GET /api/v1/app/{app_id}/msg/{msg_id}/endpoint',
      'GET /api/v1/app/{app_id}/msg/{msg_id}/attempt',
      'GET /api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/attempt',
      'GET /api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}',
      'POST /api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend',
    ];
    const appId = await application();
    const token = (await ctx.admin.post<{ token: string }>(`/api/v1/auth/app-portal-access/${appId}`, {})).body.token;
    expect(await admittedTo(token, appId)).toEqual([...portalMay].sort());
  });

  it("lets an application's key reach every operation of the API document but the admin token's own, refused with 403", async () => {
    // The README's list of what only the admin token may do.
    const adminOnly = [
      'POST /api/v1/app',
      'DELETE /api/v1/app/{app_id}',
      ...['POST', 'GET'].map((method) => `${method} /api/v1/app/{app_id}/api-key`),
      'DELETE /api/v1/app/{app_id}/api-key/{key_id}',
      'POST /api/v1/event-type',
      ...['PUT', 'PATCH', 'DELETE'].map((method) => `${method} /api/v1/event-type/{event_type_name}`),
      'POST /api/v1/event-type/schema/generate-example',
      'GET /api/v1/stats/overview',
      ...['GET', 'POST'].map((method) => `${method} /api/v1/operational-webhook/endpoint`),
      ...['GET', 'PUT', 'DELETE'].map((method) => `${method} /api/v1/operational-webhook/endpoint/{endpoint_id}`),
      ...['GET', 'PUT'].map((method) => `${method} /api/v1/operational-webhook/endpoint/{endpoint_id}/headers`),
      'GET /api/v1/operational-webhook/endpoint/{endpoint_id}/secret',
      'POST /api/v1/operational-webhook/endpoint/{endpoint_id}/secret/rotate',
      'POST /api/v1/admin/secrets/re-encrypt',
      // A portal session's own.
      'POST /api/v1/auth/logout',
    ];
    const appId = await application();
    const key = (await ctx.admin.post<{ key: string }>(`/api/v1/app/${appId}/api-key`, { name: 'reach' })).body.key;
    const every = await documentedOperations(ctx.admin);
    expect(await admittedTo(key, appId)).toEqual(every.filter((operation) => !adminOnly.includes(operation)).sort());
  });

  it('refuses a body without a bearer token before reading it: 401, not 413, however large', async () => {
    const appId = await application();
    const body = JSON.stringify({ eventType: 'x', payload: { blob: 'x'.repeat(1024 * 1024) } });
    const anonymous = apiClient(ctx.pipeline.apiUrl, null);
    for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }] as Array<Record<string, string>>) {
      const reply = await anonymous.send('POST', `/api/v1/app/${appId}/msg`, { raw: body, headers });
      expect(pick(reply)).toEqual({ status: 401, body: { code: 'authentication_failed', detail: 'missing "Authorization: Bearer <token>" header' } });
      expect(reply.headers.get('connection')).toBe('close');
    }
    // The answer comes before the body is sent at all: a client that waits for it sends none.
    const url = new URL(`${ctx.pipeline.apiUrl}/api/v1/app/${appId}/msg`);
    const answered = await new Promise<number>((resolve, reject) => {
      const request = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(200 * 1024 * 1024) } });
      request.on('response', (response) => {
        resolve(response.statusCode ?? 0);
        response.resume();
        request.destroy();
      });
      request.on('error', reject);
      request.flushHeaders();
    });
    expect(answered).toBe(401);
    // With a token, the same body is read and refused for its size.
    expect((await ctx.admin.send('POST', `/api/v1/app/${appId}/msg`, { raw: body })).status).toBe(413);
  });
});
