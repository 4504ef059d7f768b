import { REJECTION_REASON_HEADER } from '@hookline/contracts';
import { randomUUID } from 'node:crypto';
import { ApiException } from 'svix';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/env.js';
import { publish, readTopic } from '../support/kafka.js';
import { usePipeline } from '../support/pipeline.js';

// The API's limits, each refused with a clear error naming the limit: request body size (and the
// same limit on the ingest topic), endpoint URL length, endpoints per application, and requests
// per second per token. Only ingest runs: nothing here needs a delivery.

const short = () => randomUUID().slice(0, 8);

interface ErrorOut {
  code: string;
  detail: string;
}
interface ValidationOut {
  detail: Array<{ loc: Array<string | number>; msg: string; type: string }>;
}
interface ListOut<T> {
  data: T[];
  done: boolean;
}

describe('limits with clear errors', () => {
  const ctx = usePipeline('limits', { env: { HOOKLINE_MAX_ENDPOINTS_PER_APP: '3' }, inProcess: ['ingest'], eventType: { prefix: 'limits', description: 'limits' } });

  async function application(): Promise<string> {
    const app = await ctx.admin.post<{ id: string }>('/api/v1/app', { name: `Limits ${short()}` });
    expect(app.status).toBe(201);
    return `/api/v1/app/${app.body.id}`;
  }

  it('answers a request body over 256 KiB with a 413 that says the limit, and stores nothing', async () => {
    const { eventType } = ctx;
    const base = await application();
    const reply = await ctx.admin.post<ErrorOut>(`${base}/msg`, { eventType, payload: { blob: 'x'.repeat(257 * 1024) } });
    expect(reply).toMatchObject({ status: 413, body: { code: 'payload_too_large', detail: 'request body larger than 256 KiB' } });
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await ctx.admin.get<ListOut<unknown>>(`${base}/msg`)).body.data).toEqual([]);
    expect((await ctx.admin.post(`${base}/msg`, { eventType, payload: { blob: 'x'.repeat(255 * 1024) } })).status).toBe(202);
  });

  it('rejects a record over 256 KiB on the ingest topic to the rejected topic, saying the limit', async () => {
    const { eventType } = ctx;
    const uid = `kafka-limits-${short()}`;
    expect((await ctx.admin.post('/api/v1/app', { name: 'Kafka limits', uid })).status).toBe(201);
    const prefix = ctx.pipeline.env.HOOKLINE_TOPIC_PREFIX;
    const large = JSON.stringify({ eventType, eventId: `large-${short()}`, payload: { blob: 'x'.repeat(257 * 1024) } });
    const small = JSON.stringify({ eventType, eventId: `small-${short()}`, payload: { blob: 'x' } });
    await publish(`${prefix}.ingest`, [{ key: uid, value: large }, { key: uid, value: small }]);

    await readTopic(
      `${prefix}.ingest.rejected`,
      (message) => ({ size: message.value!.length, reason: message.headers![REJECTION_REASON_HEADER]!.toString() }),
      (rejected) => expect(rejected).toEqual([{ size: large.length, reason: 'value: larger than 256 KiB' }]),
    );
    // The small one was accepted.
    await eventually(async () => expect((await ctx.admin.get<ListOut<unknown>>(`/api/v1/app/${uid}/msg`)).body.data).toHaveLength(1));
  });

  it('refuses an endpoint URL over 2048 characters with 422 on body.url naming the limit', async () => {
    const base = await application();
    const url = (length: number) => {
      const start = 'https://hooks.example.com/';
      return start + 'a'.repeat(length - start.length);
    };
    for (const reply of [await ctx.admin.post<ValidationOut>(`${base}/endpoint`, { url: url(2_049) }), await ctx.admin.post<ValidationOut>(`${base}/endpoint`, { url: url(100_000) })]) {
      expect(reply.status).toBe(422);
      expect(reply.body.detail).toEqual([{ loc: ['body', 'url'], msg: 'at most 2048 characters', type: expect.any(String) }]);
    }
    const created = await ctx.admin.post<{ id: string; url: string; verificationRequired: boolean; verifiedAt: string | null }>(`${base}/endpoint`, { url: url(2_048) });
    expect(created.status).toBe(201);
    expect(created.body.url).toHaveLength(2_048);
    // Verification is off by default: the endpoint is not held back.
    expect(created.body).toMatchObject({ verificationRequired: false, verifiedAt: null });
    const patched = await ctx.admin.patch<ValidationOut>(`${base}/endpoint/${created.body.id}`, { url: url(2_049) });
    expect({ status: patched.status, locs: patched.body.detail.map((problem) => problem.loc) }).toEqual({ status: 422, locs: [['body', 'url']] });
  });

  it('allows HOOKLINE_MAX_ENDPOINTS_PER_APP endpoints per application, even to concurrent creates, with a 409 naming the limit', async () => {
    const base = await application();
    const replies = await Promise.all(Array.from({ length: 6 }, (_, n) => ctx.admin.post<ErrorOut>(`${base}/endpoint`, { url: `https://hooks.example.com/${n}` })));
    expect(replies.map((reply) => reply.status).sort()).toEqual([201, 201, 201, 409, 409, 409]);
    for (const reply of replies.filter((each) => each.status === 409)) {
      expect(reply.body).toEqual({ code: 'endpoint_limit_reached', detail: expect.stringContaining('at most 3 endpoints') });
    }
    const listed = await ctx.admin.get<ListOut<{ id: string }>>(`${base}/endpoint`);
    expect(listed.body.data).toHaveLength(3);

    // The svix SDK sees an ApiException with the same body.
    const appId = base.split('/').at(-1)!;
    const error = (await ctx.svix.endpoint.create(appId, { url: 'https://hooks.example.com/sdk' }).catch((failure: unknown) => failure)) as ApiException<ErrorOut>;
    expect(error).toBeInstanceOf(ApiException);
    expect(error.code).toBe(409);
    expect(error.body.code).toBe('endpoint_limit_reached');

    // Another application has its own allowance; a deletion frees a place.
    const other = await application();
    expect((await ctx.admin.post(`${other}/endpoint`, { url: 'https://hooks.example.com/other' })).status).toBe(201);
    expect((await ctx.admin.delete(`${base}/endpoint/${listed.body.data[0]!.id}`)).status).toBe(204);
    expect((await ctx.admin.post(`${base}/endpoint`, { url: 'https://hooks.example.com/again' })).status).toBe(201);
    expect((await ctx.admin.post(`${base}/endpoint`, { url: 'https://hooks.example.com/over' })).status).toBe(409);
  });
});

describe('the request rate limit per token', () => {
  // 5 per second, bursts of 10.
  const ctx = usePipeline('rate-limit', { env: { HOOKLINE_API_RATE_LIMIT: '5' }, inProcess: ['ingest'] });

  it('answers 429 with Retry-After past the burst, per key, and lets the key in again once it waited', async () => {
    // The admin token has a bucket of its own too: set-up uses 3 of its 10.
    const created = await ctx.admin.post<{ id: string }>('/api/v1/app', { name: 'Rate limited' });
    const keys = await Promise.all(['limited', 'bystander'].map((name) => ctx.admin.post<{ key: string }>(`/api/v1/app/${created.body.id}/api-key`, { name })));
    const [limited, bystander] = keys.map((reply) => apiClient(ctx.pipeline.apiUrl, reply.body.key));
    const path = `/api/v1/app/${created.body.id}`;

    const replies = await Promise.all(Array.from({ length: 25 }, () => limited!.get<ErrorOut>(path)));
    const ok = replies.filter((reply) => reply.status === 200);
    const limitedReplies = replies.filter((reply) => reply.status === 429);
    expect(ok.length).toBeGreaterThanOrEqual(10);
    expect(ok.length).toBeLessThanOrEqual(12);
    expect(ok.length + limitedReplies.length).toBe(25);
    for (const reply of limitedReplies) {
      expect(reply.body).toEqual({ code: 'rate_limit_exceeded', detail: expect.stringContaining('5 requests per second') });
      expect(reply.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    }

    // Other tokens are not held back, nor are public routes.
    expect((await bystander!.get(path)).status).toBe(200);
    expect((await ctx.admin.get(path)).status).toBe(200);
    const health = await Promise.all(Array.from({ length: 25 }, () => fetch(`${ctx.pipeline.apiUrl}/api/v1/health`)));
    expect(health.map((reply) => reply.status)).toEqual(Array.from({ length: 25 }, () => 204));

    // After Retry-After, the key gets through again.
    const retryAfter = Number(limitedReplies.at(-1)!.headers.get('retry-after'));
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1_000));
    expect((await limited!.get(path)).status).toBe(200);
  });
});
