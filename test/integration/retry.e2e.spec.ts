import pg from 'pg';
import { eventually, requireStack } from '../support/env.js';
import { usePipeline } from '../support/pipeline.js';
import { type ReceivedRequest, useReceiver } from '../support/receiver.js';

const SCHEDULE_MS = [1_000, 2_000, 3_000];
const JITTER = 0.2;

describe('retries through the tier topics, end to end', () => {
  const ctx = usePipeline('retry', {
    env: { HOOKLINE_RETRY_SCHEDULE: SCHEDULE_MS.map((ms) => `${ms}ms`).join(','), HOOKLINE_RETRY_JITTER: String(JITTER), HOOKLINE_DEAD_LETTER_AFTER: '1h' },
    eventType: { prefix: 'order.shipped', description: 'An order shipped' },
  });
  const receiver = useReceiver();

  afterAll(async () => {
    await database.end();
  });

  const database = new pg.Pool({ connectionString: requireStack().databaseUrl, max: 2 });
  async function statusOf(messageId: string, endpointId: string) {
    const { rows } = await database.query(
      'SELECT status, attempt_count, next_attempt_at FROM message_endpoints WHERE message_id = $1 AND endpoint_id = $2',
      [messageId, endpointId],
    );
    return rows[0];
  }

  it('retries a receiver that fails twice: exactly three attempts, none early, one webhook-id', async () => {
    const { svix, eventType } = ctx;
    const app = await svix.application.create({ name: 'Flaky receiver' });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url('/flaky') });
    let calls = 0;
    receiver.respond = (request) => (request.path === '/flaky' && ++calls <= 2 ? { status: 500 } : { status: 200 });

    const message = await svix.message.create(app.id, { eventType, payload: { order: 1 } });
    const attempts = await eventually(async () => {
      const list = await svix.messageAttempt.listByMsg(app.id, message.id);
      expect(list.data.map((attempt) => attempt.status)).toEqual([0, 2, 2]); // newest first
      return list.data.reverse();
    }, 30_000);

    const received = receiver.on('/flaky');
    expect(received).toHaveLength(3);
    expect(new Set(received.map((request) => request.headers['webhook-id']))).toEqual(new Set([message.id]));
    // Each retry waits at least its scheduled delay less the jitter.
    for (let n = 1; n < received.length; n++) {
      expect(received[n]!.at - received[n - 1]!.at).toBeGreaterThanOrEqual(SCHEDULE_MS[n - 1]! * (1 - JITTER) - 50);
    }
    expect(attempts.map((attempt) => attempt.responseStatusCode)).toEqual([500, 500, 200]);
    await eventually(async () =>
      expect(await statusOf(message.id, endpoint.id)).toEqual({ status: 'succeeded', attempt_count: 3, next_attempt_at: null }),
    );
  });

  it('disables an endpoint that answers 410 Gone and stops retrying it', async () => {
    const { svix, eventType } = ctx;
    const app = await svix.application.create({ name: 'Gone receiver' });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url('/gone') });
    receiver.respond = (request) => (request.path === '/gone' ? { status: 410 } : { status: 200 });
    await svix.message.create(app.id, { eventType, payload: { order: 2 } });
    await eventually(async () => expect((await svix.endpoint.get(app.id, endpoint.id)).disabled).toBe(true), 15_000);

    // The endpoint says why it is disabled and since when it fails (the console and the portal show both).
    const path = `/api/v1/app/${app.id}/endpoint/${endpoint.id}`;
    type State = { disabled: boolean; disabledReason: string | null; failingSince: string | null };
    // failingSince comes with the attempt's record, just after the endpoint is disabled.
    const gone = await eventually(async () => {
      const state = (await ctx.admin.get<State>(path)).body;
      expect(state).toMatchObject({ disabled: true, disabledReason: 'the endpoint answered 410 Gone', failingSince: expect.any(String) });
      return state;
    });
    expect(Date.parse(gone.failingSince!)).toBeLessThanOrEqual(Date.now());
    // Enabled again, both are cleared.
    expect((await ctx.admin.patch<State>(path, { disabled: false })).body).toMatchObject({ disabled: false, disabledReason: null, failingSince: null });

    // Witness that order 2 was not retried: order 3 fails once, so it goes through the same tier (1 s)
    // with the same key (the endpoint) as such a retry, and is due after it (sent 0.5 s after the 410,
    // more than the jitter spans): it comes back later and is attempted after it on the endpoint's partition.
    const order = (request: ReceivedRequest) => (JSON.parse(request.body) as { order: number }).order;
    receiver.respond = (request) => ({ status: request.path === '/gone' && receiver.on('/gone').filter((sent) => order(sent) === 3).length === 1 ? 500 : 200 });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, receiver.on('/gone')[0]!.at + 500 - Date.now())));
    await svix.message.create(app.id, { eventType, payload: { order: 3 } });
    await eventually(() => expect(receiver.on('/gone').map(order)).toEqual([2, 3, 3]), 15_000);

    // Disabled by hand, it says so.
    expect((await ctx.admin.patch<State>(path, { disabled: true })).body).toMatchObject({ disabled: true, disabledReason: 'disabled through the API' });
    expect((await ctx.admin.patch<State>(path, { description: 'still off' })).body).toMatchObject({ disabled: true, disabledReason: 'disabled through the API' });
  });
});
