import type { Application, Endpoint } from '@hookline/database';
import { AddressPolicy } from '@hookline/egress';
import type { ApplicationsService } from '../../src/applications/applications.service.js';
import type { Principal } from '../../src/auth/principal.js';
import { EndpointLookup } from '../../src/endpoints/endpoint-lookup.js';
import type { EndpointsRepository } from '../../src/endpoints/endpoints.repository.js';
import { endpointIn, endpointPatch, endpointPut } from '../../src/endpoints/endpoints.schemas.js';
import { EndpointsService } from '../../src/endpoints/endpoints.service.js';
import { EndpointHeadersService } from '../../src/endpoints/headers/endpoint-headers.service.js';
import type { EndpointOrderingService } from '../../src/endpoints/ordering/endpoint-ordering.service.js';
import { FiltersService } from '../../src/filters/filters.service.js';
import type { EndpointVerifier } from '../../src/endpoints/verification/endpoint-verifier.js';
import type { OperationalEvents } from '../../src/operational-webhooks/operational-events.js';
import { answerOf, ingestConfig, secretBox } from '../fakes.js';

const application = { id: '0190a000-0000-7000-8000-000000000001' } as Application;
const admin: Principal = { kind: 'admin' };
const applications = { resolve: async () => application } as unknown as ApplicationsService;

/** The endpoints table in memory, with the repository's limit per application. */
class InMemoryEndpoints {
  readonly rows = new Map<string, Endpoint>();

  async findIn(applicationId: string, idOrUid: string): Promise<Endpoint | null> {
    return [...this.rows.values()].find((row) => row.applicationId === applicationId && (row.id === idOrUid || row.uid === idOrUid)) ?? null;
  }

  async insertWithinLimit(endpoint: Endpoint, max: number): Promise<Endpoint | null> {
    if ([...this.rows.values()].filter((row) => row.applicationId === endpoint.applicationId).length >= max) return null;
    return this.save(endpoint);
  }

  /** As TypeORM does: what the insert left out takes the column's default, a nullable column null. */
  async updateHeaders(id: string, headers: Record<string, string>): Promise<void> {
    this.rows.get(id)!.headers = headers;
  }

  async save(endpoint: Endpoint): Promise<Endpoint> {
    const columns = { uid: null, description: '', version: 1, eventTypes: null, channels: null, filter: null, ordering: 'none', headers: {}, rateLimit: null, disabled: false, metadata: {}, verifiedAt: null, failingSince: null, disabledReason: null };
    for (const [column, value] of Object.entries(columns)) (endpoint as unknown as Record<string, unknown>)[column] ??= value;
    endpoint.createdAt ??= new Date();
    endpoint.updatedAt = new Date();
    this.rows.set(endpoint.id, endpoint);
    return endpoint;
  }

  async delete(id: string): Promise<void> {
    this.rows.delete(id);
  }
}

describe('EndpointsService', () => {
  let endpoints: InMemoryEndpoints;
  let verified: string[];
  /** What the ordering service was told after each update: the endpoint's ordering, disabled before and after. */
  let orderingChanges: Array<{ ordering: string; wasDisabled: boolean; disabled: boolean }>;
  /** The endpoint changes reported to operators, in order. */
  let changes: Array<Parameters<OperationalEvents['endpointChanged']>[1]>;

  function service(env: Record<string, string> = {}) {
    const config = ingestConfig({ HOOKLINE_DELIVERY_ALLOW_HTTP: 'false', ...env });
    const verifier = {
      verify: async (endpoint: Endpoint) => {
        verified.push(endpoint.url);
        return { verified: false, verifiedAt: null, statusCode: null, error: 'unreachable' };
      },
    };
    const operational = { endpointChanged: async (_: Application, change: (typeof changes)[number]) => void changes.push({ ...change, endpoint: { ...change.endpoint } }) };
    const policy = new AddressPolicy({ allowHttp: config.delivery.allowHttp, allowedSubnets: config.delivery.allowedSubnets });
    return new EndpointsService(
      config,
      applications,
      endpoints as unknown as EndpointsRepository,
      lookup(),
      secretBox(config.secretsKeys!),
      policy,
      verifier as unknown as EndpointVerifier,
      new FiltersService(),
      { changed: async (endpoint: Endpoint, wasDisabled: boolean) => void orderingChanges.push({ ordering: endpoint.ordering, wasDisabled, disabled: endpoint.disabled }) } as unknown as EndpointOrderingService,
      operational as unknown as OperationalEvents,
    );
  }

  function lookup() {
    return new EndpointLookup(applications, endpoints as unknown as EndpointsRepository);
  }

  beforeEach(() => {
    endpoints = new InMemoryEndpoints();
    verified = [];
    orderingChanges = [];
    changes = [];
  });

  it("takes the open-source server's filterTypes and rateLimit as eventTypes and throttleRate, and refuses both names with different values", () => {
    const url = 'https://example.com/hook';
    expect(endpointIn.parse({ url, filterTypes: ['a.b'], rateLimit: 5 })).toEqual({ url, eventTypes: ['a.b'], throttleRate: 5 });
    expect(endpointPatch.parse({ filterTypes: null, rateLimit: null })).toEqual({ eventTypes: null, throttleRate: null });
    // Neither name given: a PATCH leaves both out, so the endpoint keeps its values.
    expect(endpointPatch.parse({ description: 'x' })).toEqual({ description: 'x' });
    expect(endpointPut.parse({ url, eventTypes: ['a.b'], filterTypes: ['a.b'], throttleRate: 5, rateLimit: 5 })).toEqual({ url, eventTypes: ['a.b'], throttleRate: 5 });
    const refused = endpointIn.safeParse({ url, eventTypes: ['a.b'], filterTypes: ['c.d'], throttleRate: 5, rateLimit: 6 });
    expect(refused.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['filterTypes', '"filterTypes" (the open-source Svix server\'s name for "eventTypes") and "eventTypes" differ: send one of them'],
      ['rateLimit', '"rateLimit" (the open-source Svix server\'s name for "throttleRate") and "throttleRate" differ: send one of them'],
    ]);
  });

  it('reports each change to operators once it is stored: created, updated (with whether it was disabled before), deleted', async () => {
    const api = service();
    const created = await api.create(admin, 'acme', { url: 'https://example.com/a', uid: 'billing' });
    await api.patch(admin, 'acme', 'billing', { disabled: true });
    await api.replace(admin, 'acme', created.id, { url: 'https://example.com/b' });
    await api.remove(admin, 'acme', created.id);
    expect(changes.map((change) => [change.kind, change.endpoint.disabled, 'wasDisabled' in change ? change.wasDisabled : undefined])).toEqual([
      ['created', false, undefined],
      ['updated', true, false],
      ['updated', false, true],
      ['deleted', false, undefined],
    ]);
    expect(endpoints.rows.size).toBe(0);
  });

  it('refuses a URL the address policy refuses with a 422 naming body.url, and stores nothing', async () => {
    expect(await answerOf(service().create(admin, 'acme', { url: 'http://example.com/hook' }))).toEqual({
      status: 422,
      body: { detail: [{ loc: ['body', 'url'], msg: expect.stringContaining('plain http is not allowed'), type: 'invalid' }] },
    });
    expect(endpoints.rows.size).toBe(0);
  });

  it('stores the secret encrypted, and answers 409 endpoint_limit_reached past HOOKLINE_MAX_ENDPOINTS_PER_APP', async () => {
    const limited = service({ HOOKLINE_MAX_ENDPOINTS_PER_APP: '1' });
    const secret = 'whsec_' + Buffer.alloc(24, 7).toString('base64');
    const created = await limited.create(admin, 'acme', { url: 'https://example.com/a', secret });
    const row = endpoints.rows.get(created.id)!;
    expect(row.secretCiphertext).not.toContain(Buffer.alloc(24, 7).toString('base64'));
    expect(await answerOf(limited.create(admin, 'acme', { url: 'https://example.com/b' }))).toEqual({
      status: 409,
      body: { code: 'endpoint_limit_reached', detail: expect.stringContaining('at most 1 endpoints') },
    });
    expect(endpoints.rows.size).toBe(1);
  });

  it('runs the verification handshake on creation when verification is on, and again only when the URL changes', async () => {
    const verifying = service({ HOOKLINE_ENDPOINT_VERIFICATION: 'true' });
    const created = await verifying.create(admin, 'acme', { url: 'https://example.com/a' });
    expect(created).toMatchObject({ verificationRequired: true, verifiedAt: null });
    endpoints.rows.get(created.id)!.verifiedAt = new Date();
    await verifying.patch(admin, 'acme', created.id, { description: 'same URL' });
    expect(endpoints.rows.get(created.id)!.verifiedAt).not.toBeNull();
    await verifying.patch(admin, 'acme', created.id, { url: 'https://example.com/b' });
    expect(endpoints.rows.get(created.id)!.verifiedAt).toBeNull();
    expect(verified).toEqual(['https://example.com/a', 'https://example.com/b']);
  });

  it('lets PUT reset every field it leaves out, and PATCH change only what it names', async () => {
    const api = service();
    const created = await api.create(admin, 'acme', { url: 'https://example.com/a', description: 'd', uid: 'a', channels: ['eu'], headers: { 'x-a': '1' }, throttleRate: 5 });
    expect(await api.patch(admin, 'acme', created.id, { description: 'patched' })).toMatchObject({ description: 'patched', uid: 'a', channels: ['eu'], throttleRate: 5 });
    expect((await api.replace(admin, 'acme', created.id, { url: 'https://example.com/b' })).resource).toMatchObject({
      url: 'https://example.com/b',
      description: '',
      uid: null,
      channels: null,
      eventTypes: null,
      throttleRate: null,
      disabled: false,
      metadata: {},
    });
  });

  it('clears custom headers given as null, and restarts the failure clock when an endpoint is enabled again', async () => {
    const api = service();
    const created = await api.create(admin, 'acme', { url: 'https://example.com/a', headers: { 'x-a': '1' }, disabled: true });
    const row = endpoints.rows.get(created.id)!;
    row.failingSince = new Date();
    await api.patch(admin, 'acme', created.id, { headers: null, disabled: true });
    expect({ headers: row.headers, failingSince: row.failingSince }).toEqual({ headers: {}, failingSince: expect.any(Date) });
    await api.patch(admin, 'acme', created.id, { disabled: false });
    expect({ disabled: row.disabled, failingSince: row.failingSince }).toEqual({ disabled: false, failingSince: null });
  });

  it('says why an endpoint is disabled: through the API when disabled by an update, kept while it stays disabled, cleared when enabled', async () => {
    const api = service();
    const created = await api.create(admin, 'acme', { url: 'https://example.com/a', disabled: true });
    expect(created).toMatchObject({ disabled: true, disabledReason: 'disabled through the API', failingSince: null });
    const row = endpoints.rows.get(created.id)!;
    // Delivery's own reason stays while the endpoint stays disabled, whatever else changes.
    row.disabledReason = 'the endpoint answered 410 Gone';
    expect(await api.patch(admin, 'acme', created.id, { description: 'gone', disabled: true })).toMatchObject({ disabled: true, disabledReason: 'the endpoint answered 410 Gone' });
    expect(await api.patch(admin, 'acme', created.id, { disabled: false })).toMatchObject({ disabled: false, disabledReason: null });
    expect((await api.create(admin, 'acme', { url: 'https://example.com/b' })).disabledReason).toBeNull();
  });

  it('refuses to send to an endpoint that has not passed its handshake yet (409), and answers 404 for one the application lacks', async () => {
    const verifying = service({ HOOKLINE_ENDPOINT_VERIFICATION: 'true' });
    const created = await verifying.create(admin, 'acme', { url: 'https://example.com/a' });
    expect(await answerOf(lookup().findVerifiedIn(application, created.id))).toEqual({
      status: 409,
      body: { code: 'endpoint_not_verified', detail: expect.any(String) },
    });
    endpoints.rows.get(created.id)!.verifiedAt = new Date();
    expect((await lookup().findVerifiedIn(application, created.id)).id).toBe(created.id);
    expect(await answerOf(lookup().findIn(application, 'missing'))).toEqual({ status: 404, body: { code: 'not_found', detail: 'endpoint not found' } });
  });

  it("creates an endpoint on PUT under the path's uid, and answers 404 for an id it does not have", async () => {
    const api = service();
    const { created: isNew, resource: created } = await api.replace(admin, 'acme', 'billing-hook', { url: 'https://example.com/billing' });
    expect({ isNew, created }).toMatchObject({ isNew: true, created: { uid: 'billing-hook', url: 'https://example.com/billing' } });
    expect(await api.replace(admin, 'acme', 'billing-hook', { url: 'https://example.com/billing/2' })).toMatchObject({ created: false, resource: { id: created.id, uid: 'billing-hook', url: 'https://example.com/billing/2' } });
    expect(await api.replace(admin, 'acme', created.id, { url: 'https://example.com/billing/3' })).toMatchObject({ created: false, resource: { id: created.id, uid: null } });
    expect(await answerOf(api.replace(admin, 'acme', '0190a000-0000-7000-8000-0000000000ee', { url: 'https://example.com/x' }))).toEqual({ status: 404, body: { code: 'not_found', detail: 'endpoint not found' } });
    expect(endpoints.rows.size).toBe(1);
  });

  it("keeps headers carrying credentials out of the headers' answer, naming them, and patches them by the rule of every endpoint's headers", async () => {
    const api = service();
    const headersOf = new EndpointHeadersService(lookup(), api);
    const created = await api.create(admin, 'acme', { url: 'https://example.com/a', headers: { 'X-Tenant': 'acme', Authorization: 'Bearer s3cret' } });
    expect(await headersOf.get(admin, 'acme', created.id)).toEqual({ headers: { 'X-Tenant': 'acme' }, sensitive: ['Authorization'] });
    await headersOf.patch(admin, 'acme', created.id, { headers: { 'x-tenant': 'acme-2', 'X-Region': 'eu', authorization: null }, deleteHeaders: ['x-region'] });
    expect(endpoints.rows.get(created.id)!.headers).toEqual({ 'x-tenant': 'acme-2' });
    expect(await answerOf(headersOf.patch(admin, 'acme', created.id, { headers: { 'X-Big': 'x'.repeat(5_000) } }))).toEqual({
      status: 422,
      body: { detail: [{ loc: ['body', 'headers', 'X-Big'], msg: expect.any(String), type: 'too_big' }] },
    });
    await headersOf.set(admin, 'acme', created.id, { headers: { 'X-Only': '1' } });
    expect(endpoints.rows.get(created.id)!.headers).toEqual({ 'X-Only': '1' });
  });

  it('refuses an invalid filter with a 422 naming each problem at body.filter.<path> (ending with its operator), on create and on update alike', async () => {
    const api = service();
    const invalid = { amount: { $gt: [1] }, $or: [{ region: { $like: 'eu' } }], name: { $regex: '(a)\\1' } };
    const expected = {
      status: 422,
      body: {
        detail: [
          { loc: ['body', 'filter', 'amount', '$gt'], msg: 'expects a number or string', type: 'invalid_operand' },
          { loc: ['body', 'filter', '$or', 0, 'region', '$like'], msg: 'unknown operator', type: 'unknown_operator' },
          { loc: ['body', 'filter', 'name', '$regex'], msg: expect.stringContaining('invalid escape sequence'), type: 'invalid_regex' },
        ],
      },
    };
    expect(await answerOf(api.create(admin, 'acme', { url: 'https://example.com/a', filter: invalid }))).toEqual(expected);
    expect(endpoints.rows.size).toBe(0);
    const created = await api.create(admin, 'acme', { url: 'https://example.com/a', filter: { amount: { $gt: 1000 } } });
    expect(created.filter).toEqual({ amount: { $gt: 1000 } });
    expect(await answerOf(api.patch(admin, 'acme', created.id, { filter: invalid }))).toEqual(expected);
    expect(endpoints.rows.get(created.id)!.filter).toEqual({ amount: { $gt: 1000 } });
    // null takes the filter away; PUT leaving it out does too.
    expect((await api.patch(admin, 'acme', created.id, { filter: null })).filter).toBeNull();
    await api.patch(admin, 'acme', created.id, { filter: { region: 'eu' } });
    expect((await api.replace(admin, 'acme', created.id, { url: 'https://example.com/a' })).resource.filter).toBeNull();
  });

  it('takes the ordering, and tells the ordering service of every update with whether the endpoint was disabled before', async () => {
    const api = service();
    const created = await api.create(admin, 'acme', { url: 'https://example.com/a', ordering: 'fifo', disabled: true });
    expect(created.ordering).toBe('fifo');
    await api.patch(admin, 'acme', created.id, { disabled: false });
    await api.replace(admin, 'acme', created.id, { url: 'https://example.com/a' });
    expect(orderingChanges).toEqual([
      { ordering: 'fifo', wasDisabled: true, disabled: false },
      { ordering: 'none', wasDisabled: false, disabled: false },
    ]);
  });
});
