import pg from 'pg';
import { ApiException, Svix } from 'svix';
import { eventually, requireStack } from '../support/env.js';
import { settled, usePipeline } from '../support/pipeline.js';
import { useReceiver } from '../support/receiver.js';

// Svix's expunge of a message's payload and of an attempt's response, through the official SDK
// against the whole pipeline; and what an application deletion leaves to the retention sweep.

describe('expunging content, through the svix SDK', () => {
  const ctx = usePipeline('expunge', { eventType: { prefix: 'card.saved', description: 'A card was saved' } });
  const receiver = useReceiver();
  const database = new pg.Pool({ connectionString: requireStack().databaseUrl, max: 2 });

  afterAll(async () => {
    await database.end();
  });

  /** An application with one endpoint, the receiver echoing something it should not have, and one message delivered to it. */
  async function delivered(name: string) {
    const { svix, eventType } = ctx;
    const app = await svix.application.create({ name });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url(`/${name}`) });
    receiver.respond = () => ({ status: 200, body: 'your card 4242 4242 4242 4242 is saved' });
    const message = await svix.message.create(app.id, { eventType, eventId: `${name}-1`, channels: ['cards'], payload: { card: '4242 4242 4242 4242' } });
    const attempts = await eventually(async () => {
      const list = await svix.messageAttempt.listByMsg(app.id, message.id, { withContent: true });
      expect(list.data).toHaveLength(1);
      return list.data;
    }, 20_000);
    return { app, endpoint, message, attempt: attempts[0]! };
  }

  it("removes a message's payload and keeps its metadata and attempts; it answers {expired: true} and cannot be sent again", async () => {
    const { svix, admin, eventType } = ctx;
    const { app, endpoint, message } = await delivered('expunge-message');
    expect((await svix.message.get(app.id, message.id, { withContent: true })).payload).toEqual({ card: '4242 4242 4242 4242' });

    await svix.message.expungeContent(app.id, message.id);

    const after = await svix.message.get(app.id, message.id, { withContent: true });
    expect(after).toMatchObject({ id: message.id, eventType, eventId: 'expunge-message-1', channels: ['cards'], payload: { expired: true } });
    expect(after.timestamp).toEqual(message.timestamp);
    expect((await svix.message.get(app.id, 'expunge-message-1', { withContent: true })).payload).toEqual({ expired: true });
    const listed = await svix.message.list(app.id, { withContent: true });
    expect(listed.data.map((item) => [item.id, item.payload])).toEqual([[message.id, { expired: true }]]);
    expect((await admin.get<{ data: Array<{ payload: unknown }> }>(`/api/v1/app/${app.id}/msg?with_content=false`)).body.data[0]!.payload).toEqual({});
    // The stored row holds no payload any more.
    expect((await database.query('SELECT payload FROM messages WHERE id = $1', [message.id])).rows).toEqual([{ payload: null }]);
    // Its attempts stay.
    expect((await svix.messageAttempt.listByMsg(app.id, message.id, { withContent: true })).data.map((attempt) => [attempt.status, attempt.responseStatusCode])).toEqual([[0, 200]]);

    const resend = await svix.messageAttempt.resend(app.id, message.id, endpoint.id).catch((error: unknown) => error);
    expect(resend).toBeInstanceOf(ApiException);
    expect({ code: (resend as ApiException<unknown>).code, body: (resend as ApiException<unknown>).body }).toEqual({
      code: 400,
      body: { code: 'missing_payload', detail: "the message's payload was expunged: it cannot be sent again" },
    });
    // Recover passes over it. Its delivery is marked failed first, as if the receiver had refused
    // it: recover sends failed deliveries again, so only the expunge keeps it from this one.
    await database.query("UPDATE message_endpoints SET status = 'failed' WHERE message_id = $1", [message.id]);
    expect((await admin.post(`/api/v1/app/${app.id}/endpoint/${endpoint.id}/recover`, { since: new Date(Date.now() - 60_000).toISOString() })).status).toBe(202);
    // Recover's tasks are on the deliveries topic before it answers: once the pipeline has handled
    // everything, a resend of the expunged message would have been made.
    await settled(ctx.pipeline);
    expect(receiver.on('/expunge-message')).toHaveLength(1);
  });

  it("removes an attempt's response body, which answers EXPUNGED from then on", async () => {
    const { svix } = ctx;
    const { app, message, attempt } = await delivered('expunge-attempt');
    expect(attempt.response).toBe('your card 4242 4242 4242 4242 is saved');

    await svix.messageAttempt.expungeContent(app.id, message.id, attempt.id);

    const [after] = (await svix.messageAttempt.listByMsg(app.id, message.id, { withContent: true })).data;
    expect(after).toMatchObject({ id: attempt.id, msgId: message.id, status: 0, responseStatusCode: 200, response: 'EXPUNGED' });
    expect((await svix.message.get(app.id, message.id, { withContent: true })).payload).toEqual({ card: '4242 4242 4242 4242' });
    // Unknown attempts, or not attempts of that message, are 404s.
    for (const attemptId of ['01900000-0000-7000-8000-000000000000', 'not-an-id']) {
      expect(((await svix.messageAttempt.expungeContent(app.id, message.id, attemptId).catch((error: unknown) => error)) as ApiException<unknown>).code).toBe(404);
    }
  });

  it("refuses another tenant's key with a 404 and changes nothing", async () => {
    const { svix, admin } = ctx;
    const { app, message, attempt } = await delivered('expunge-tenant');
    const intruder = await svix.application.create({ name: 'Intruder' });
    const key = (await admin.post<{ key: string }>(`/api/v1/app/${intruder.id}/api-key`, { name: 'intruder' })).body.key;
    const theirs = new Svix(key, { serverUrl: ctx.pipeline.apiUrl });
    for (const attempted of [theirs.message.expungeContent(app.id, message.id), theirs.messageAttempt.expungeContent(app.id, message.id, attempt.id), theirs.message.expungeContent(intruder.id, message.id)]) {
      expect(((await attempted.catch((error: unknown) => error)) as ApiException<unknown>).code).toBe(404);
    }
    expect((await svix.message.get(app.id, message.id, { withContent: true })).payload).toEqual({ card: '4242 4242 4242 4242' });
    expect((await svix.messageAttempt.listByMsg(app.id, message.id, { withContent: true })).data[0]!.response).toBe('your card 4242 4242 4242 4242 is saved');
    // An application's own key may expunge its messages.
    const own = (await admin.post<{ key: string }>(`/api/v1/app/${app.id}/api-key`, { name: 'own' })).body.key;
    await new Svix(own, { serverUrl: ctx.pipeline.apiUrl }).message.expungeContent(app.id, message.id);
    expect((await svix.message.get(app.id, message.id, { withContent: true })).payload).toEqual({ expired: true });
  });

  it('answers an application deletion at once and leaves its messages to the retention sweep', async () => {
    const { svix } = ctx;
    const { app, endpoint, message } = await delivered('expunge-delete');
    await svix.endpoint.delete(app.id, endpoint.id);
    await svix.application.delete(app.id);
    const pending = await database.query('SELECT kind FROM pending_deletions WHERE target_id = ANY($1::uuid[]) ORDER BY kind', [[app.id, endpoint.id]]);
    expect(pending.rows).toEqual([{ kind: 'application' }, { kind: 'endpoint' }]);
    expect(((await svix.message.get(app.id, message.id).catch((error: unknown) => error)) as ApiException<unknown>).code).toBe(404);
  });
});
