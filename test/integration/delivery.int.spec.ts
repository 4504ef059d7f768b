import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { MessageAttemptOut, Svix } from 'svix';
import { topicsFor } from '@hookline/contracts';
import { eventually, requireStack } from '../support/env.js';
import { consumerLag, publish, readTopic } from '../support/kafka.js';
import { service as delivery } from '../../apps/delivery/src/service.js';
import { service as fanout } from '../../apps/fanout/src/service.js';
import { startService } from '@hookline/service';
import type { INestApplication } from '@nestjs/common';
import { usePipeline } from '../support/pipeline.js';
import { type Respond, Receiver } from '../support/receiver.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * Delivery behaviour through the real stack: the four services in this process against the real
 * Kafka and PostgreSQL, delivering over real HTTP to a receiver on 127.0.0.1. Nothing is mocked.
 * Per-class coverage of the address policy (private, link-local, CGNAT, metadata, IPv4-mapped
 * IPv6...) lives in libs/egress/test; here it is checked once, end to end, at connect time.
 */

// Failed attempts stay single within a test run: the first retry tier is far beyond it.
const NO_RETRY_WITHIN_TEST = { HOOKLINE_RETRY_SCHEDULE: '10m' };

/** One receiver for the file; each test answers on paths of its own. */
const receiver = new Receiver();
const behaviours = new Map<string, Respond>();
const respond: Respond = (request) => behaviours.get(request.path)?.(request) ?? { status: 200 };

let db: pg.Client;

beforeAll(async () => {
  await receiver.start();
  receiver.respond = respond;
  db = new pg.Client({ connectionString: requireStack().databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await receiver.stop();
  await db?.end();
});

/** A pipeline of its own for one describe block, with an event type of its own. */
const useDeliveryPipeline = (name: string, overrides: Record<string, string>) =>
  usePipeline(name, { env: { ...NO_RETRY_WITHIN_TEST, ...overrides }, eventType: { prefix: 'delivery.test', description: 'delivery tests' } });

/** The attempts of a message, once `count` of them are recorded. */
async function attemptsOf(svix: Svix, appId: string, msgId: string, count = 1, timeoutMs = 20_000): Promise<MessageAttemptOut[]> {
  return eventually(async () => {
    const { data } = await svix.messageAttempt.listByMsg(appId, msgId, { withContent: true });
    expect(data).toHaveLength(count);
    return data;
  }, timeoutMs, 100);
}

async function statusOf(messageId: string, endpointId: string): Promise<{ status: string; attempt_count: number } | undefined> {
  const { rows } = await db.query<{ status: string; attempt_count: number }>(
    'SELECT status::text AS status, attempt_count FROM message_endpoints WHERE message_id = $1 AND endpoint_id = $2',
    [messageId, endpointId],
  );
  return rows[0];
}

const path = (name: string) => `/${name}-${randomUUID().slice(0, 8)}`;

describe('delivery refuses loopback at connect time when it is not an allowed subnet', () => {
  const ctx = useDeliveryPipeline('delivery-ssrf', { HOOKLINE_DELIVERY_ALLOWED_SUBNETS: '' });

  it('refuses a loopback IP literal and a host name resolving to loopback, and never reaches the receiver', async () => {
    const { svix, eventType } = ctx;
    const port = new URL(receiver.url()).port;
    const app = await svix.application.create({ name: 'SSRF' });
    const literalUrl = `http://127.0.0.1:${port}${path('literal')}`;
    const hostUrl = `http://localhost:${port}${path('host')}`;

    // Registration already refuses the IP literal...
    await expect(svix.endpoint.create(app.id, { url: literalUrl })).rejects.toMatchObject({ code: 422 });
    // ...so the endpoint is stored as if it had been registered under a laxer policy, which is
    // exactly what the connect-time check exists for: delivery must judge the URL it sends to.
    const literal = await svix.endpoint.create(app.id, { url: `http://localhost:${port}${path('placeholder')}`, channels: ['literal'] });
    await db.query('UPDATE endpoints SET url = $1 WHERE id = $2', [literalUrl, literal.id]);
    // A host name cannot be judged at registration; the connector judges what it resolves to.
    const host = await svix.endpoint.create(app.id, { url: hostUrl, channels: ['host'] });

    const toLiteral = await svix.message.create(app.id, { eventType, payload: { to: 'literal' }, channels: ['literal'] });
    const toHost = await svix.message.create(app.id, { eventType, payload: { to: 'host' }, channels: ['host'] });

    const [literalAttempt] = await attemptsOf(svix, app.id, toLiteral.id);
    expect(literalAttempt).toMatchObject({ endpointId: literal.id, url: literalUrl, statusText: 'fail', responseStatusCode: 0 });
    expect(literalAttempt!.response).toBe('blocked: refused to connect to 127.0.0.1: loopback address');

    const [hostAttempt] = await attemptsOf(svix, app.id, toHost.id);
    expect(hostAttempt).toMatchObject({ endpointId: host.id, url: hostUrl, statusText: 'fail', responseStatusCode: 0 });
    // The host as written, not the address it resolved to: the tenant reads this.
    expect(hostAttempt!.response).toBe(`blocked: refused to connect to ${new URL(hostUrl).hostname}: its address is not allowed (loopback address)`);

    expect(receiver.requests).toEqual([]);
    expect(await statusOf(toLiteral.id, literal.id)).toMatchObject({ status: 'failed' });
    expect(await statusOf(toHost.id, host.id)).toMatchObject({ status: 'failed' });
  });
});

describe('delivery outcomes (1 s timeout)', () => {
  const ctx = useDeliveryPipeline('delivery-outcomes', { HOOKLINE_DELIVERY_TIMEOUT: '1s' });

  it('does not follow a redirect: a 302 is a failed attempt and its Location is never requested', async () => {
    const { svix, eventType } = ctx;
    const from = path('redirect');
    const to = path('redirect-target');
    behaviours.set(from, () => ({ status: 302, headers: { location: receiver.url(to) } }));
    const app = await svix.application.create({ name: 'Redirect' });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url(from) });

    const message = await svix.message.create(app.id, { eventType, payload: { redirect: true } });

    const [attempt] = await attemptsOf(svix, app.id, message.id);
    expect(attempt).toMatchObject({ endpointId: endpoint.id, responseStatusCode: 302, statusText: 'fail' });
    expect(receiver.on(from)).toHaveLength(1);
    expect(receiver.on(to)).toEqual([]);
    expect(await statusOf(message.id, endpoint.id)).toMatchObject({ status: 'failed' });
  });

  it('times out a slow receiver after HOOKLINE_DELIVERY_TIMEOUT, not when it finally answers', async () => {
    const { svix, eventType } = ctx;
    const slow = path('slow');
    behaviours.set(slow, () => ({ status: 200, delayMs: 15_000 }));
    const app = await svix.application.create({ name: 'Slow' });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url(slow) });

    const message = await svix.message.create(app.id, { eventType, payload: { slow: true } });

    const [attempt] = await attemptsOf(svix, app.id, message.id);
    const recordedAt = Date.now();
    const [request] = receiver.on(slow);
    expect(request).toBeDefined();
    expect(attempt).toMatchObject({ endpointId: endpoint.id, statusText: 'fail', responseStatusCode: 0 });
    expect(attempt!.response).toMatch(/timeout/);
    expect(attempt!.responseDurationMs).toBeGreaterThanOrEqual(900);
    expect(attempt!.responseDurationMs).toBeLessThan(5_000);
    // Recorded about a second after the request reached the receiver, long before its 15 s answer.
    expect(recordedAt - request!.at).toBeLessThan(10_000);
    expect(await statusOf(message.id, endpoint.id)).toMatchObject({ status: 'failed' });
  });

  it('tracks the message-endpoint status in PostgreSQL: succeeded after a 2xx, failed after a 500', async () => {
    const { svix, eventType } = ctx;
    const ok = path('ok');
    const broken = path('broken');
    behaviours.set(broken, () => ({ status: 500 }));
    const app = await svix.application.create({ name: 'Status' });
    const good = await svix.endpoint.create(app.id, { url: receiver.url(ok) });
    const bad = await svix.endpoint.create(app.id, { url: receiver.url(broken) });

    const message = await svix.message.create(app.id, { eventType, payload: { status: true } });

    const attempts = await attemptsOf(svix, app.id, message.id, 2);
    expect(attempts.find((attempt) => attempt.endpointId === good.id)).toMatchObject({ responseStatusCode: 200, statusText: 'success' });
    expect(attempts.find((attempt) => attempt.endpointId === bad.id)).toMatchObject({ responseStatusCode: 500, statusText: 'fail', response: 'nope' });
    await eventually(async () => {
      expect(await statusOf(message.id, good.id)).toEqual({ status: 'succeeded', attempt_count: 1 });
      expect(await statusOf(message.id, bad.id)).toEqual({ status: 'failed', attempt_count: 1 });
    });
  });

  it("sends the endpoint's custom headers along with the signature headers", async () => {
    const { svix, eventType } = ctx;
    const target = path('headers');
    const app = await svix.application.create({ name: 'Headers' });
    await svix.endpoint.create(app.id, { url: receiver.url(target), headers: { 'x-tenant': 'acme' } });

    const message = await svix.message.create(app.id, { eventType, payload: { headers: true } });

    const [request] = await eventually(() => {
      const received = receiver.on(target);
      expect(received).toHaveLength(1);
      return received;
    });
    expect(request!.headers['x-tenant']).toBe('acme');
    expect(request!.headers['webhook-id']).toBe(message.id);
    expect(request!.headers['webhook-signature']).toMatch(/^v1,/);
  });
});

describe('a slow endpoint does not hold back others in the same partition', () => {
  // Long enough that the fast deliveries finish well inside it on a busy machine.
  const TIMEOUT_MS = 10_000;
  const ctx = useDeliveryPipeline('delivery-isolation', { HOOKLINE_TOPIC_PARTITIONS: '1', HOOKLINE_DELIVERY_TIMEOUT: '10s' });

  it('delivers to fast endpoints at once while a hanging endpoint waits out its timeout', async () => {
    const { svix, eventType } = ctx;
    const hang = path('hang');
    behaviours.set(hang, () => ({ status: 200, delayMs: 60_000 }));
    const fast = [1, 2, 3].map((n) => path(`fast-${n}`));
    const app = await svix.application.create({ name: 'Isolation' });
    const hanging = await svix.endpoint.create(app.id, { url: receiver.url(hang), channels: ['hang'] });
    for (const [index, target] of fast.entries()) {
      await svix.endpoint.create(app.id, { url: receiver.url(target), channels: [`fast-${index + 1}`] });
    }

    // Warm up: the pipeline is flowing end to end before anything is timed.
    await svix.message.create(app.id, { eventType, payload: { warmup: true }, channels: ['fast-1'] });
    await eventually(() => expect(receiver.on(fast[0]!)).toHaveLength(1));

    // Five tasks for the hanging endpoint, ahead of the fast ones in the only partition: four
    // occupy the endpoint's in-flight cap, the fifth queues behind them.
    const hangMessages = [];
    for (let n = 0; n < 5; n++) hangMessages.push(await svix.message.create(app.id, { eventType, payload: { hang: n }, channels: ['hang'] }));
    await eventually(() => expect(receiver.on(hang)).toHaveLength(4));
    const hangStartedAt = Math.min(...receiver.on(hang).map((request) => request.at));

    for (const [index] of fast.entries()) {
      for (let n = 0; n < 2; n++) await svix.message.create(app.id, { eventType, payload: { fast: n }, channels: [`fast-${index + 1}`] });
    }
    await eventually(
      () => {
        expect(receiver.on(fast[0]!)).toHaveLength(3);
        expect(receiver.on(fast[1]!)).toHaveLength(2);
        expect(receiver.on(fast[2]!)).toHaveLength(2);
      },
      TIMEOUT_MS - 2_000,
      20,
    );
    // All of it while the hanging requests were still open: none had reached its timeout.
    const fastDoneAt = Math.max(...fast.flatMap((target) => receiver.on(target).map((request) => request.at)));
    expect(fastDoneAt - hangStartedAt).toBeLessThan(TIMEOUT_MS);
    const hangAttempts = await Promise.all(hangMessages.map((message) => svix.messageAttempt.listByMsg(app.id, message.id)));
    expect(hangAttempts.flatMap((list) => list.data)).toEqual([]);

    // The hanging endpoint's first four attempts end at its timeout, about 5 s after they began.
    const finished = await eventually(
      async () => {
        const { data } = await svix.messageAttempt.listByEndpoint(app.id, hanging.id, { withContent: true });
        expect(data.length).toBeGreaterThanOrEqual(4);
        return data;
      },
      TIMEOUT_MS + 5_000,
      100,
    );
    const finishedAt = Date.now();
    expect(finishedAt - hangStartedAt).toBeGreaterThanOrEqual(TIMEOUT_MS - 500);
    for (const attempt of finished.slice(0, 4)) {
      expect(attempt).toMatchObject({ statusText: 'fail', responseStatusCode: 0 });
      expect(attempt.response).toMatch(/timeout/);
      expect(attempt.responseDurationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 500);
      expect(attempt.responseDurationMs).toBeLessThan(TIMEOUT_MS + 2_000);
    }
  });
});

describe('a request made just before PostgreSQL goes away', () => {
  // Delivery alone reaches PostgreSQL through a proxy the test cuts; the other services, in this
  // process, use the database directly.
  const ctx = usePipeline('delivery-db-outage', { env: NO_RETRY_WITHIN_TEST, inProcess: ['ingest', 'fanout', 'retry'], eventType: { prefix: 'delivery.test', description: 'delivery tests' } });
  let proxy: TcpProxy;
  let deliveryApp: INestApplication;

  beforeAll(async () => {
    const database = new URL(requireStack().databaseUrl);
    proxy = await new TcpProxy({ host: database.hostname, port: Number(database.port) }).start();
    database.host = `127.0.0.1:${proxy.port}`;
    deliveryApp = await startService(delivery, { ...ctx.pipeline.env, DATABASE_URL: database.toString() });
  });

  afterAll(async () => {
    await deliveryApp?.close();
    await proxy?.stop();
  });

  it('is recorded once the database is back, and not made again meanwhile', async () => {
    const { svix, eventType } = ctx;
    const app = await svix.application.create({ name: 'Database outage' });
    const route = path('db-outage');
    // The endpoint answers, and the database is gone before delivery can record that it did: the
    // consumer runs the task again (every 200 ms, then 400, 800...) until the record is written.
    let restored: NodeJS.Timeout | undefined;
    behaviours.set(route, () => {
      if (!restored) {
        proxy.cut();
        restored = setTimeout(() => proxy.restore(), 1_500);
      }
      return { status: 204 };
    });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url(route) });
    const message = await svix.message.create(app.id, { eventType, payload: { during: 'outage' } });

    const [attempt] = await attemptsOf(svix, app.id, message.id, 1, 30_000);
    expect(attempt).toMatchObject({ status: 0, responseStatusCode: 204 });
    expect(await statusOf(message.id, endpoint.id)).toEqual({ status: 'succeeded', attempt_count: 1 });
    // Once: every run of the task after the first recorded the request it had made.
    expect(receiver.on(route)).toHaveLength(1);
    clearTimeout(restored);
  }, 40_000);
});

// The service under test runs on its own here, so that the test can stop it and put a record it
// handled back past its committed offset, as a consumer that crashed after handling it leaves it.
// Delivery reads its task again; fanout reads its event again, and the task it makes says so.
describe.each([
  { service: 'delivery', spec: delivery, topic: 'deliveries', others: ['ingest', 'fanout', 'retry'] },
  { service: 'fanout', spec: fanout, topic: 'events', others: ['ingest', 'delivery', 'retry'] },
] as const)('a record $service reads again after its consumer went away without committing it', ({ service, spec, topic, others }) => {
  const ctx = usePipeline(`repeat-${service}`, { env: NO_RETRY_WITHIN_TEST, inProcess: [...others], eventType: { prefix: 'delivery.test', description: 'delivery tests' } });
  let serviceApp: INestApplication | undefined;

  afterAll(async () => {
    await serviceApp?.close();
  });

  it('is not sent twice when its attempt succeeded, and its outcome record is written again', async () => {
    const { svix, eventType, pipeline } = ctx;
    const topics = topicsFor(pipeline.env.HOOKLINE_TOPIC_PREFIX!);
    const group = `${pipeline.env.HOOKLINE_TOPIC_PREFIX}.${service}`;
    const recordsOf = (count: number, ...messageIds: string[]) => recordsOfMessages(topics[topic], count, messageIds);
    serviceApp = await startService(spec, pipeline.env);
    const app = await svix.application.create({ name: `Repeat in ${service}` });
    const route = path('repeat');
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url(route) });

    const sent = await svix.message.create(app.id, { eventType, payload: { sent: 'once' } });
    await attemptsOf(svix, app.id, sent.id);
    const [handled] = await recordsOf(1, sent.id);
    await eventually(async () => expect(await consumerLag(group, topics[topic])).toBe(0));
    await serviceApp.close();

    // The handled record again, past the committed offset; behind it, a message nobody sent yet.
    await publish(topics[topic], [handled!]);
    const unsent = await svix.message.create(app.id, { eventType, payload: { sent: 'not yet' } });
    await recordsOf(3, sent.id, unsent.id);
    serviceApp = await startService(spec, pipeline.env);

    await attemptsOf(svix, app.id, unsent.id);
    await eventually(async () => expect(await consumerLag(group, topics[topic])).toBe(0));
    expect(receiver.on(route).map((request) => request.headers['webhook-id'])).toEqual([sent.id, unsent.id]);
    await attemptsOf(svix, app.id, sent.id, 1);
    expect(await statusOf(sent.id, endpoint.id)).toEqual({ status: 'succeeded', attempt_count: 1 });
    // The outcomes topic promises a record per task at least once: the consumer that sent it may have died before writing it.
    const outcomes = await readTopic(
      topics.outcomes,
      (record) => JSON.parse(record.value!.toString()) as { messageId: string; outcome: string; statusCode: number; attempts: number },
      (read) => expect(read.filter((record) => record.messageId === sent.id)).toHaveLength(2),
    );
    expect(outcomes.filter((record) => record.messageId === sent.id)).toEqual([
      expect.objectContaining({ outcome: 'delivered', statusCode: 200, attempts: 1 }),
      expect.objectContaining({ outcome: 'delivered', statusCode: 200, attempts: 1 }),
    ]);
  }, 60_000);

  it('is not sent again when its attempt failed: the retry handed on before it was recorded stays the only one', async () => {
    const { svix, eventType, pipeline } = ctx;
    const prefix = pipeline.env.HOOKLINE_TOPIC_PREFIX!;
    const topics = topicsFor(prefix);
    const group = `${prefix}.${service}`;
    const tier = `${prefix}.retry.${NO_RETRY_WITHIN_TEST.HOOKLINE_RETRY_SCHEDULE}`;
    await serviceApp?.close();
    serviceApp = await startService(spec, pipeline.env);
    const app = await svix.application.create({ name: `Failed repeat in ${service}` });
    const route = path('failed-repeat');
    behaviours.set(route, () => ({ status: 500 }));
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url(route) });

    const failed = await svix.message.create(app.id, { eventType, payload: { fails: 'once' } });
    await attemptsOf(svix, app.id, failed.id);
    const [handled] = await recordsOfMessages(topics[topic], 1, [failed.id]);
    await eventually(async () => expect(await consumerLag(group, topics[topic])).toBe(0));
    await serviceApp.close();

    await publish(topics[topic], [handled!]);
    const after = await svix.message.create(app.id, { eventType, payload: { fails: 'too' } });
    await recordsOfMessages(topics[topic], 3, [failed.id, after.id]);
    serviceApp = await startService(spec, pipeline.env);

    await attemptsOf(svix, app.id, after.id);
    await eventually(async () => expect(await consumerLag(group, topics[topic])).toBe(0));
    expect(receiver.on(route).map((request) => request.headers['webhook-id'])).toEqual([failed.id, after.id]);
    await attemptsOf(svix, app.id, failed.id, 1);
    expect(await statusOf(failed.id, endpoint.id)).toMatchObject({ status: 'failed', attempt_count: 1 });
    // One retry of each waits in the tier: sending the repeat again would have started a second chain.
    const waiting = await recordsOfMessages(tier, 2, [failed.id, after.id]);
    expect(waiting.filter(({ value }) => value.toString().includes(failed.id))).toHaveLength(1);
  }, 60_000);
});

// Two copies of one task (ingest emitted its event twice after a fault, only the second marked as
// a repeat) that an open circuit both postponed come back from the tiers as two chains.
describe('a copy of a task back from a retry tier, its attempt made already', () => {
  const ctx = useDeliveryPipeline('tier-copy', {});

  it('is not sent again, whether that attempt succeeded or failed', async () => {
    const { svix, eventType, pipeline } = ctx;
    const prefix = pipeline.env.HOOKLINE_TOPIC_PREFIX!;
    const topics = topicsFor(prefix);
    const app = await svix.application.create({ name: 'Tier copies' });
    const route = path('tier-copy');
    behaviours.set(route, (request) => ({ status: request.body.includes('fails') ? 500 : 204 }));
    await svix.endpoint.create(app.id, { url: receiver.url(route) });
    const delivered = await svix.message.create(app.id, { eventType, payload: { delivered: true } });
    const failed = await svix.message.create(app.id, { eventType, payload: { fails: true } });
    await attemptsOf(svix, app.id, delivered.id);
    await attemptsOf(svix, app.id, failed.id);
    const tasks = await recordsOfMessages(topics.deliveries, 2, [delivered.id, failed.id]);

    // Each task again, with the headers a postponement gives it (FollowUp.defer), as the retry service re-emits it.
    const postponed = { 'hookline-attempt': '1', 'hookline-due-at': new Date().toISOString(), 'hookline-deferred': 'circuit open' };
    await publish(topics.deliveries, tasks.map(({ key, value }) => ({ key, value, headers: postponed })));
    await recordsOfMessages(topics.deliveries, 4, [delivered.id, failed.id]);
    await eventually(async () => expect(await consumerLag(`${prefix}.delivery`, topics.deliveries)).toBe(0));

    expect(receiver.on(route)).toHaveLength(2);
    await attemptsOf(svix, app.id, delivered.id, 1);
    await attemptsOf(svix, app.id, failed.id, 1);
  }, 60_000);
});

/** The records of a topic that name one of `messageIds` (a topic carries other tests' and operational records too), once there are `count`. */
async function recordsOfMessages(topic: string, count: number, messageIds: string[]): Promise<Array<{ key: Buffer; value: Buffer }>> {
  const ours = (read: Array<{ key: Buffer; value: Buffer }>) => read.filter(({ value }) => messageIds.some((id) => value.toString().includes(id)));
  return ours(await readTopic(topic, ({ key, value }) => ({ key: key!, value: value! }), (read) => expect(ours(read)).toHaveLength(count)));
}
