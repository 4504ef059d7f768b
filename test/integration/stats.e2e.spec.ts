import pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { ApplicationStats, StatsOverview } from '../../apps/ingest/src/stats/stats.schemas.js';
import { Svix } from 'svix';
import { type ApiClient, apiClient } from '../support/api-client.js';
import { eventually, isolatedDatabase, migrate, requireStack } from '../support/env.js';
import { type Pipeline, startPipeline, usePipeline } from '../support/pipeline.js';
import { useReceiver } from '../support/receiver.js';

// The stats routes against the attempts table and the status rows they count, on the real stack:
// what they answer must be what a direct query of the same rows finds.

let database: pg.Pool;
beforeAll(() => {
  database = new pg.Pool({ connectionString: requireStack().databaseUrl, max: 2 });
});
afterAll(() => database?.end());

/** Attempts of an endpoint by outcome in [since, until), counted straight from the table. */
async function attemptsIn(endpointId: string, since: Date, until: Date): Promise<{ success: number; fail: number }> {
  const { rows } = await database.query<{ success: string; fail: string }>(
    'SELECT count(*) FILTER (WHERE succeeded) AS success, count(*) FILTER (WHERE NOT succeeded) AS fail FROM attempts WHERE endpoint_id = $1 AND created_at >= $2 AND created_at < $3',
    [endpointId, since, until],
  );
  return { success: Number(rows[0]!.success), fail: Number(rows[0]!.fail) };
}

describe('stats of endpoints and applications', () => {
  const ctx = usePipeline('stats', { env: { HOOKLINE_RETRY_SCHEDULE: '300ms,300ms', HOOKLINE_RETRY_JITTER: '0', HOOKLINE_CIRCUIT_BREAKER_THRESHOLD: '100' }, eventType: { prefix: 'stats', description: 'stats' } });
  const receiver = useReceiver();

  it('counts the attempts of each endpoint and application as the attempts table holds them, and their dead deliveries', async () => {
    const { svix, admin, eventType } = ctx;
    const app = await svix.application.create({ name: 'Stats' });
    const ok = await svix.endpoint.create(app.id, { url: receiver.url('/ok'), eventTypes: [eventType] });
    const failing = await svix.endpoint.create(app.id, { url: receiver.url('/failing'), eventTypes: [eventType] });
    receiver.respond = (request) => ({ status: request.path === '/failing' ? 500 : 200 });
    const before = new Date(Date.now() - 1_000);
    for (let n = 0; n < 3; n++) await svix.message.create(app.id, { eventType, payload: { n } });
    // Three attempts of each message fail at /failing, then they are dead.
    await eventually(async () => expect((await attemptsIn(failing.id, before, new Date(Date.now() + 60_000))).fail).toBe(9), 20_000);
    await eventually(async () => expect((await svix.endpoint.getStats(app.id, failing.id)).fail).toBe(9), 5_000);
    const until = new Date();

    // Svix's endpoint stats through the SDK, as the table counts them.
    expect(await svix.endpoint.getStats(app.id, ok.id, { since: before, until })).toEqual({ ...(await attemptsIn(ok.id, before, until)), pending: 0, sending: 0, canceled: 0 });
    expect(await svix.endpoint.getStats(app.id, failing.id, { since: before, until })).toEqual({ success: 0, fail: 9, pending: 0, sending: 0, canceled: 0 });
    expect(await attemptsIn(ok.id, before, until)).toEqual({ success: 3, fail: 0 });
    // A range before any attempt counts none.
    expect(await svix.endpoint.getStats(app.id, ok.id, { since: new Date(before.getTime() - 3_600_000), until: before })).toMatchObject({ success: 0, fail: 0 });

    const stats = (await admin.get<ApplicationStats>(`/api/v1/app/${app.id}/stats?since=${before.toISOString()}&until=${until.toISOString()}`)).body;
    const { rows } = await database.query<{ dead: string }>(`SELECT count(*) AS dead FROM message_endpoints WHERE endpoint_id = $1 AND status = 'dead'`, [failing.id]);
    expect(Number(rows[0]!.dead)).toBe(3);
    expect(stats).toEqual({
      since: before.toISOString(),
      until: until.toISOString(),
      attempts: { success: 3, fail: 9 },
      deliveries: { pending: 0, dead: 3 },
      endpoints: expect.arrayContaining([
        { endpointId: ok.id, attempts: { success: 3, fail: 0 }, deliveries: { pending: 0, dead: 0 } },
        { endpointId: failing.id, attempts: { success: 0, fail: 9 }, deliveries: { pending: 0, dead: 3 } },
      ]),
    });
    expect(stats.endpoints).toHaveLength(2);

    // The open-source server's application stats: 5-minute buckets of the last 6 hours, rounded down,
    // each as the table counts the application's attempts in it.
    type Buckets = { startDate: string; endDate: string; period: string; data: { successCount: number[]; failureCount: number[] } };
    const buckets = (await admin.get<Buckets>(`/api/v1/stats/app/${app.id}/attempt`)).body;
    const [start, end] = [Date.parse(buckets.startDate), Date.parse(buckets.endDate)];
    expect([end - start, start % 300_000, buckets.period]).toEqual([6 * 3_600_000, 0, 'FiveMinutes']);
    expect(buckets.data.successCount).toHaveLength(72);
    const counted = await database.query<{ bucket: Date; success: string; fail: string }>(
      `SELECT date_bin('5 minutes', created_at, $2) AS bucket, count(*) FILTER (WHERE succeeded) AS success, count(*) FILTER (WHERE NOT succeeded) AS fail
       FROM attempts WHERE application_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY 1`,
      [app.id, new Date(start), new Date(end)],
    );
    const expected = { successCount: Array<number>(72).fill(0), failureCount: Array<number>(72).fill(0) };
    for (const row of counted.rows) {
      const index = (row.bucket.getTime() - start) / 300_000;
      expected.successCount[index] = Number(row.success);
      expected.failureCount[index] = Number(row.fail);
    }
    expect(buckets.data).toEqual(expected);
  });

  it("refuses a range that is empty or too wide, naming the field, and keeps each application's stats to its own key", async () => {
    const { svix, admin, pipeline } = ctx;
    const app = await svix.application.create({ name: 'Mine' });
    const other = await svix.application.create({ name: 'Theirs' });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url('/mine') });
    const now = Date.now();
    const backwards = await admin.get<{ detail: Array<{ loc: string[] }> }>(`/api/v1/app/${app.id}/stats?since=${new Date(now).toISOString()}&until=${new Date(now - 1_000).toISOString()}`);
    expect([backwards.status, backwards.body.detail[0]!.loc]).toEqual([422, ['query', 'since']]);
    const wide = await admin.get<{ detail: Array<{ msg: string }> }>(`/api/v1/app/${app.id}/endpoint/${endpoint.id}/stats?since=${new Date(now - 40 * 86_400_000).toISOString()}`);
    expect([wide.status, wide.body.detail[0]!.msg]).toEqual([422, 'the range may span at most 31d']);
    expect((await admin.get(`/api/v1/app/${app.id}/stats?since=yesterday`)).status).toBe(422);
    // The open-source server's application stats take both ends or neither, at most a day apart.
    const attemptStats = (query: string) => admin.get<{ detail: Array<{ loc: string[]; type: string }> }>(`/api/v1/stats/app/${app.id}/attempt?${query}`);
    const halfOpen = await attemptStats(`startDate=${new Date(now - 3_600_000).toISOString()}`);
    expect([halfOpen.status, halfOpen.body.detail]).toEqual([422, [expect.objectContaining({ loc: ['query', 'endDate'], type: 'range_incomplete' })]]);
    const tooWide = await attemptStats(`startDate=${new Date(now - 2 * 86_400_000).toISOString()}&endDate=${new Date(now).toISOString()}`);
    expect([tooWide.status, tooWide.body.detail]).toEqual([422, [expect.objectContaining({ loc: ['query', 'startDate'], type: 'range_too_wide' })]]);
    // A range with no whole bucket has no counts.
    const within = (await admin.get<{ data: object }>(`/api/v1/stats/app/${app.id}/attempt?startDate=2026-01-01T00:01:00Z&endDate=2026-01-01T00:04:00Z`)).body;
    expect(within).toMatchObject({ startDate: '2026-01-01T00:00:00.000Z', endDate: '2026-01-01T00:00:00.000Z', data: { successCount: null, failureCount: null } });

    const key = (await admin.post<{ key: string }>(`/api/v1/app/${app.id}/api-key`, { name: 'mine' })).body.key;
    const tenant = apiClient(pipeline.apiUrl, key);
    expect((await tenant.get(`/api/v1/app/${app.id}/stats`)).status).toBe(200);
    expect((await tenant.get(`/api/v1/app/${app.id}/endpoint/${endpoint.id}/stats`)).status).toBe(200);
    expect((await tenant.get(`/api/v1/app/${other.id}/stats`)).status).toBe(404);
    expect((await tenant.get(`/api/v1/stats/app/${app.id}/attempt`)).status).toBe(200);
    expect((await tenant.get(`/api/v1/stats/app/${other.id}/attempt`)).status).toBe(404);
    expect((await tenant.get('/api/v1/stats/overview')).status).toBe(403);
    expect((await apiClient(pipeline.apiUrl, null).get(`/api/v1/app/${app.id}/stats`)).status).toBe(401);
  });
});

// The overview counts the whole installation: a database of its own, so that the attempts and dead
// letters it counts are this test's alone, none written by another test while it compares.
describe('stats overview of the installation', () => {
  let pipeline: Pipeline;
  let svix: Svix;
  let admin: ApiClient;
  let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
  // One client, not a pool: its end() waits for the connection to close, before the database is dropped.
  let own: pg.Client;
  const receiver = useReceiver();
  const eventType = `overview.${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    isolated = await isolatedDatabase('stats_overview');
    await migrate(isolated.url);
    own = new pg.Client({ connectionString: isolated.url });
    await own.connect();
    pipeline = await startPipeline('stats-overview', { DATABASE_URL: isolated.url, HOOKLINE_RETRY_SCHEDULE: '300ms,300ms', HOOKLINE_RETRY_JITTER: '0', HOOKLINE_CIRCUIT_BREAKER_THRESHOLD: '100' });
    svix = new Svix(pipeline.adminToken, { serverUrl: pipeline.apiUrl });
    admin = apiClient(pipeline.apiUrl, pipeline.adminToken);
    await svix.eventType.create({ name: eventType, description: 'stats overview' });
  });

  afterAll(async () => {
    await pipeline?.stop();
    await own?.end();
    await isolated?.drop();
  });

  it('gives the installation overview in buckets that agree with the attempts and dead deliveries of their time', async () => {
    const app = await svix.application.create({ name: 'Overview' });
    await svix.endpoint.create(app.id, { url: receiver.url('/ok'), eventTypes: [eventType] });
    await svix.endpoint.create(app.id, { url: receiver.url('/failing'), eventTypes: [eventType] });
    receiver.respond = (request) => ({ status: request.path === '/failing' ? 500 : 200 });
    const started = Date.now();
    for (let n = 0; n < 3; n++) await svix.message.create(app.id, { eventType, payload: { n } });
    // Each message: one attempt that succeeds at /ok; three that fail at /failing, then it is dead.
    await eventually(async () => {
      const { rows } = await own.query<{ attempts: string; dead: string }>(`SELECT (SELECT count(*) FROM attempts) AS attempts, (SELECT count(*) FROM message_endpoints WHERE status = 'dead') AS dead`);
      expect(rows[0]).toEqual({ attempts: '12', dead: '3' });
    }, 20_000);

    // 10 s buckets from before the first message to past now: empty ones around those that hold the attempts.
    const bucketMs = 10_000;
    const since = new Date(Math.floor(started / bucketMs) * bucketMs - 3 * bucketMs);
    const until = new Date(Math.ceil(Date.now() / bucketMs) * bucketMs + bucketMs);
    const reply = await admin.get<StatsOverview>(`/api/v1/stats/overview?since=${since.toISOString()}&until=${until.toISOString()}&bucket=10s`);
    expect(reply.status).toBe(200);
    const overview = reply.body;
    expect(overview.bucket).toBe('10s');

    // The same buckets, counted here from the rows themselves.
    const { rows: attempts } = await own.query<{ created_at: Date; succeeded: boolean }>('SELECT created_at, succeeded FROM attempts WHERE created_at >= $1 AND created_at < $2', [since, until]);
    const { rows: dead } = await own.query<{ last_attempt_at: Date }>(`SELECT last_attempt_at FROM message_endpoints WHERE status = 'dead' AND last_attempt_at >= $1 AND last_attempt_at < $2`, [since, until]);
    const bucketOf = (at: Date) => Math.floor((at.getTime() - since.getTime()) / bucketMs);
    const expected = Array.from({ length: (until.getTime() - since.getTime()) / bucketMs }, (_, n) => ({ start: new Date(since.getTime() + n * bucketMs).toISOString(), delivered: 0, failed: 0, dead: 0 }));
    for (const attempt of attempts) expected[bucketOf(attempt.created_at)]![attempt.succeeded ? 'delivered' : 'failed']++;
    for (const row of dead) expected[bucketOf(row.last_attempt_at)]!.dead++;
    expect(overview.buckets).toEqual(expected);
    // What the test made, all of it in the window: so the comparison above is of counts, not of zeros.
    const total = (field: 'delivered' | 'failed' | 'dead') => overview.buckets.reduce((sum, bucket) => sum + bucket[field], 0);
    expect({ delivered: total('delivered'), failed: total('failed'), dead: total('dead') }).toEqual({ delivered: 3, failed: 9, dead: 3 });
    expect(overview.successRate).toBe(3 / 12);
    const { rows: deadLetters } = await own.query<{ dead: string }>(`SELECT count(*) AS dead FROM message_endpoints WHERE status = 'dead'`);
    expect(overview.deadLetters).toBe(Number(deadLetters[0]!.dead));
    expect(overview.deadLetters).toBe(3);
    expect(overview.retryTiers.map((tier) => [tier.tier, tier.topic])).toEqual([['300ms', `${pipeline.env.HOOKLINE_TOPIC_PREFIX}.retry.300ms`]]);

    const refused = await admin.get<{ detail: Array<{ loc: string[] }> }>('/api/v1/stats/overview?bucket=10s&since=' + new Date(Date.now() - 6 * 3_600_000).toISOString());
    expect([refused.status, refused.body.detail[0]!.loc]).toEqual([422, ['query', 'bucket']]);
    // A bucket the pattern refuses, naming the field: not a duration, under 10 s, not whole seconds,
    // too many digits (200000000d, past PostgreSQL's interval range, once failed as a 500).
    for (const bucket of ['5x', '5s', '0ms', '1500ms', '1.5m', '1000d', '1000000s', '200000000d']) {
      const reply = await admin.get<{ detail: Array<{ loc: string[] }> }>(`/api/v1/stats/overview?bucket=${bucket}`);
      expect([bucket, reply.status, reply.body.detail[0]!.loc]).toEqual([bucket, 422, ['query', 'bucket']]);
    }
    // The widest the pattern allows are answered: one bucket for the whole range.
    for (const bucket of ['999d', '999999s']) expect([bucket, (await admin.get(`/api/v1/stats/overview?bucket=${bucket}`)).status]).toEqual([bucket, 200]);
  });
});

describe('stats of what waits: pending deliveries and retry tiers, with no retry service running', () => {
  // Delivery without the retry service: a failed task stays in its tier topic, counted there.
  const ctx = usePipeline('stats-waiting', { env: { HOOKLINE_RETRY_SCHEDULE: '1m', HOOKLINE_RETRY_JITTER: '0' }, inProcess: ['ingest', 'fanout', 'delivery'], eventType: { prefix: 'waiting', description: 'waiting' } });
  const receiver = useReceiver();

  it('counts the deliveries waiting for a retry, and the tasks in the tier where they wait', async () => {
    const { svix, admin, eventType, pipeline } = ctx;
    const app = await svix.application.create({ name: `Waiting ${randomUUID().slice(0, 4)}` });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url('/later'), eventTypes: [eventType] });
    receiver.respond = () => ({ status: 503 });
    await svix.message.create(app.id, { eventType, payload: { n: 1 } });
    await svix.message.create(app.id, { eventType, payload: { n: 2 } });

    await eventually(async () => expect(await svix.endpoint.getStats(app.id, endpoint.id)).toEqual({ success: 0, fail: 2, pending: 2, sending: 0, canceled: 0 }), 20_000);
    const stats = (await admin.get<ApplicationStats>(`/api/v1/app/${app.id}/stats`)).body;
    expect(stats.deliveries).toEqual({ pending: 2, dead: 0 });
    await eventually(async () => {
      const overview = (await admin.get<StatsOverview>('/api/v1/stats/overview')).body;
      expect(overview.retryTiers).toEqual([{ tier: '1m', topic: `${pipeline.env.HOOKLINE_TOPIC_PREFIX}.retry.1m`, waiting: 2 }]);
    }, 10_000);
  });
});
