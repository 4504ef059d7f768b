import { randomUUID } from 'node:crypto';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/env.js';
import { publish } from '../support/kafka.js';
import { settled, usePipeline } from '../support/pipeline.js';
import { useReceiver } from '../support/receiver.js';

// Payload filters end to end: endpoints holding filters of every operator, events sent through
// the API and through the ingest topic, and what each endpoint receives compared with what its
// filter says. The filter semantics themselves are unit-tested in libs/filters.

const PAYLOADS: Record<string, Record<string, unknown>> = {
  p1: {
    amount: 1500,
    currency: 'EUR',
    region: 'eu',
    customer: { email: 'ann@example.com', address: { country: 'DE' }, vip: true },
    items: [{ sku: 'A-1', qty: 2 }, { sku: 'B-7', qty: 9 }],
    tags: ['new', 'gift'],
    note: null,
    createdAt: '2026-03-01T10:00:00Z',
  },
  p2: { amount: 200, currency: 'USD', region: 'us', customer: { email: 'bob@corp.test', address: { country: 'US' } }, items: [{ sku: 'C-3', qty: 1 }], tags: ['repeat'], createdAt: '2026-02-01T10:00:00Z' },
  p3: { amount: 1000, currency: 'GBP', region: 'uk', customer: { email: 'CAT@EXAMPLE.COM', address: { country: 'GB' }, vip: false }, items: [], tags: [], note: 'fragile', createdAt: '2026-03-15T10:00:00Z' },
  // A number written as a string: never compared with numbers.
  p4: { amount: '5000', region: 'eu', customer: { email: 'dan@example.com' } },
};

/** Each endpoint's filter, and the payloads it lets through. */
const CASES: Array<{ name: string; filter: Record<string, unknown>; passes: string[] }> = [
  { name: 'eq', filter: { currency: { $eq: 'EUR' } }, passes: ['p1'] },
  { name: 'bare-scalar', filter: { region: 'eu' }, passes: ['p1', 'p4'] },
  { name: 'neq', filter: { currency: { $neq: 'EUR' } }, passes: ['p2', 'p3'] },
  { name: 'gt', filter: { amount: { $gt: 1000 } }, passes: ['p1'] },
  { name: 'gte', filter: { amount: { $gte: 1000 } }, passes: ['p1', 'p3'] },
  { name: 'lt', filter: { amount: { $lt: 1000 } }, passes: ['p2'] },
  { name: 'lte', filter: { amount: { $lte: 1000 } }, passes: ['p2', 'p3'] },
  { name: 'string-comparison', filter: { createdAt: { $gte: '2026-03-01T00:00:00Z' } }, passes: ['p1', 'p3'] },
  { name: 'in', filter: { region: { $in: ['eu', 'uk'] } }, passes: ['p1', 'p3', 'p4'] },
  { name: 'nin', filter: { region: { $nin: ['eu', 'uk'] } }, passes: ['p2'] },
  { name: 'in-one-value', filter: { tags: { $in: 'repeat' } }, passes: ['p2'] },
  { name: 'exist', filter: { note: { $exist: true } }, passes: ['p1', 'p3'] },
  { name: 'not-exist', filter: { note: { $exist: false } }, passes: ['p2', 'p4'] },
  { name: 'regex', filter: { 'customer.email': { $regex: '(?i)@example\\.com$' } }, passes: ['p1', 'p3', 'p4'] },
  { name: 'dotted-path', filter: { 'customer.address.country': 'DE' }, passes: ['p1'] },
  { name: 'nested-objects', filter: { customer: { address: { country: { $in: ['GB', 'US'] } } } }, passes: ['p2', 'p3'] },
  { name: 'array-index', filter: { 'items.0.sku': 'C-3' }, passes: ['p2'] },
  { name: 'array-wildcard', filter: { 'items.$.qty': { $gte: 5 } }, passes: ['p1'] },
  { name: 'array-contains', filter: { tags: 'gift' }, passes: ['p1'] },
  { name: 'and', filter: { $and: [{ amount: { $gte: 200 } }, { 'customer.vip': true }] }, passes: ['p1'] },
  { name: 'or', filter: { $or: [{ currency: 'USD' }, { 'customer.vip': false }] }, passes: ['p2', 'p3'] },
  { name: 'none', filter: {}, passes: ['p1', 'p2', 'p3', 'p4'] },
];

describe('payload filters on endpoints, end to end', () => {
  const ctx = usePipeline('filters', { eventType: { prefix: 'order.placed', description: 'An order was placed' } });
  const receiver = useReceiver();

  /** "<payload label>/<via>" of each message an endpoint path received (at least once: repeats of a webhook-id count once). */
  const receivedAt = (path: string) => {
    const messages = new Map(receiver.on(path).map((request) => [request.headers['webhook-id'], JSON.parse(request.body) as { label: string; via: string }]));
    return [...messages.values()].map(({ label, via }) => `${label}/${via}`).sort();
  };

  it('delivers to each endpoint exactly the events its filter lets through, sent through the API and the ingest topic', async () => {
    const { admin, eventType, pipeline } = ctx;
    const app = (await admin.post<{ id: string }>('/api/v1/app', { name: 'Filtered' })).body;
    const run = randomUUID().slice(0, 8);
    for (const { name, filter } of CASES) {
      const created = await admin.post<{ filter: unknown }>(`/api/v1/app/${app.id}/endpoint`, { url: receiver.url(`/${run}/${name}`), eventTypes: [eventType], filter });
      expect({ name, status: created.status, filter: created.body.filter }).toEqual({ name, status: 201, filter });
    }
    for (const [label, payload] of Object.entries(PAYLOADS)) {
      expect((await admin.post(`/api/v1/app/${app.id}/msg`, { eventType, payload: { ...payload, label, via: 'api' } })).status).toBe(202);
    }
    await publish(
      `${pipeline.env.HOOKLINE_TOPIC_PREFIX}.ingest`,
      Object.entries(PAYLOADS).map(([label, payload]) => ({ key: app.id, value: JSON.stringify({ eventType, eventId: `${run}-${label}`, payload: { ...payload, label, via: 'kafka' } }) })),
    );

    const expected = Object.fromEntries(CASES.map(({ name, passes }) => [name, passes.flatMap((label) => [`${label}/api`, `${label}/kafka`]).sort()]));
    const actual = () => Object.fromEntries(CASES.map(({ name }) => [name, receivedAt(`/${run}/${name}`)]));
    await eventually(() => expect(actual()).toEqual(expected), 30_000, 200);
    // And nothing more, once the pipeline has handled every event and task.
    await settled(pipeline);
    expect(actual()).toEqual(expected);
  });

  it('applies a changed filter to the next event, and none once it is taken away', async () => {
    const { admin, eventType } = ctx;
    const app = (await admin.post<{ id: string }>('/api/v1/app', { name: 'Refiltered' })).body;
    const path = `/${randomUUID().slice(0, 8)}/changing`;
    const endpoint = (await admin.post<{ id: string }>(`/api/v1/app/${app.id}/endpoint`, { url: receiver.url(path), eventTypes: [eventType], filter: { amount: { $gt: 1000 } } })).body;
    const send = (label: string, amount: number) => admin.post(`/api/v1/app/${app.id}/msg`, { eventType, payload: { label, via: 'api', amount } });
    const labels = () => receivedAt(path).map((entry) => entry.split('/')[0]);

    await send('big', 1500);
    await send('small', 10);
    await eventually(() => expect(labels()).toEqual(['big']));
    expect((await admin.patch<{ filter: unknown }>(`/api/v1/app/${app.id}/endpoint/${endpoint.id}`, { filter: { amount: { $lt: 100 } } })).body.filter).toEqual({ amount: { $lt: 100 } });
    await send('big-again', 1500);
    await send('small-again', 10);
    await eventually(() => expect(labels()).toEqual(['big', 'small-again']));
    expect((await admin.patch<{ filter: unknown }>(`/api/v1/app/${app.id}/endpoint/${endpoint.id}`, { filter: null })).body.filter).toBeNull();
    expect((await admin.get<{ filter: unknown }>(`/api/v1/app/${app.id}/endpoint/${endpoint.id}`)).body.filter).toBeNull();
    await send('any', 500);
    await eventually(() => expect(labels()).toEqual(['any', 'big', 'small-again']));
  });

  it('refuses an invalid filter on create, PUT and PATCH with a 422 naming its path and operator, and keeps the one stored', async () => {
    const { admin } = ctx;
    const app = (await admin.post<{ id: string }>('/api/v1/app', { name: 'Refused filters' })).body;
    const url = receiver.url('/never');
    const refusals: Array<{ filter: unknown; loc: Array<string | number>; type: string; msg: string | RegExp }> = [
      { filter: { amount: { $gt: [1] } }, loc: ['amount', '$gt'], type: 'invalid_operand', msg: 'expects a number or string' },
      { filter: { $or: [{ region: { $like: 'eu' } }] }, loc: ['$or', 0, 'region', '$like'], type: 'unknown_operator', msg: 'unknown operator' },
      { filter: { name: { $regex: '(a)\\1' } }, loc: ['name', '$regex'], type: 'invalid_regex', msg: /invalid escape sequence/ },
      { filter: { 'items.$': 1 }, loc: ['items.$'], type: 'invalid_path', msg: /array wildcard/ },
      { filter: { customer: {} }, loc: ['customer'], type: 'invalid_filter', msg: /at least one condition/ },
      { filter: { $and: 'x' }, loc: ['$and'], type: 'invalid_operand', msg: 'expects a non-empty array of objects' },
      { filter: { note: { $exist: 'yes' } }, loc: ['note', '$exist'], type: 'invalid_operand', msg: 'expects true or false' },
    ];
    for (const { filter, loc, type, msg } of refusals) {
      const answer = await admin.post<{ detail: unknown }>(`/api/v1/app/${app.id}/endpoint`, { url, filter });
      expect({ filter, status: answer.status, detail: answer.body.detail }).toEqual({
        filter,
        status: 422,
        detail: [{ loc: ['body', 'filter', ...loc], type, msg: typeof msg === 'string' ? msg : expect.stringMatching(msg) }],
      });
    }
    // Not an object at all: the schema refuses it.
    expect((await admin.post<{ detail: Array<{ loc: unknown }> }>(`/api/v1/app/${app.id}/endpoint`, { url, filter: ['x'] })).body.detail[0]!.loc).toEqual(['body', 'filter']);
    expect((await admin.get<{ data: unknown[] }>(`/api/v1/app/${app.id}/endpoint`)).body.data).toEqual([]);

    const stored = { region: 'eu' };
    const endpoint = (await admin.post<{ id: string }>(`/api/v1/app/${app.id}/endpoint`, { url, filter: stored })).body;
    const patched = await admin.patch<{ detail: unknown }>(`/api/v1/app/${app.id}/endpoint/${endpoint.id}`, { filter: { amount: { $gt: [1] } } });
    expect(patched).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'filter', 'amount', '$gt'] }] } });
    const replaced = await admin.put<{ detail: unknown }>(`/api/v1/app/${app.id}/endpoint/${endpoint.id}`, { url, filter: { $or: [] } });
    expect(replaced).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'filter', '$or'], type: 'invalid_operand' }] } });
    expect((await admin.get<{ filter: unknown }>(`/api/v1/app/${app.id}/endpoint/${endpoint.id}`)).body.filter).toEqual(stored);
  });

  it('tries a filter on a sample payload without storing anything, for an application key too', async () => {
    const { admin } = ctx;
    const app = (await admin.post<{ id: string }>('/api/v1/app', { name: 'Dry run' })).body;
    const key = (await admin.post<{ key: string }>(`/api/v1/app/${app.id}/api-key`, { name: 'dry-run' })).body.key;
    const scoped = apiClient(ctx.pipeline.apiUrl, key);
    const filter = { 'customer.address.country': { $in: ['DE', 'FR'] }, amount: { $gte: 1000 } };
    expect(await scoped.post('/api/v1/filter/test', { filter, payload: PAYLOADS.p1 })).toMatchObject({ status: 200, body: { matches: true, problems: [] } });
    expect(await scoped.post('/api/v1/filter/test', { filter, payload: PAYLOADS.p2 })).toMatchObject({ status: 200, body: { matches: false, problems: [] } });
    expect(await scoped.post('/api/v1/filter/test', { filter: { amount: { $gt: 'x', $near: 1 } }, payload: {} })).toEqual({
      status: 200,
      headers: expect.anything(),
      body: { matches: false, problems: [{ path: ['amount', '$near'], operator: '$near', code: 'unknown_operator', message: 'unknown operator' }] },
    });
    expect((await apiClient(ctx.pipeline.apiUrl, null).post('/api/v1/filter/test', { filter, payload: {} })).status).toBe(401);
  });
});
