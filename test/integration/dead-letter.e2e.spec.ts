import { createKafkaClient } from '@hookline/kafka';
import { createLogger } from '@hookline/logging';
import { randomUUID } from 'node:crypto';
import { Svix } from 'svix';
import { apiClient } from '../support/api-client.js';
import { eventually, requireStack } from '../support/env.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';
import { Receiver } from '../support/receiver.js';

describe('dead letters and replay, end to end', () => {
  let pipeline: Pipeline;
  let receiver: Receiver;
  let svix: Svix;
  const eventType = `payment.failed.${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    // Every 500 ms, no jitter, and a 1.2 s window: attempts at about 0, 0.5 and 1.0 s; the next
    // would be due at 1.5 s, past the window, so the third failure is dead-lettered.
    pipeline = await startPipeline('dead', {
      HOOKLINE_RETRY_SCHEDULE: '500ms,500ms,500ms,500ms,500ms',
      HOOKLINE_RETRY_JITTER: '0',
      HOOKLINE_DEAD_LETTER_AFTER: '1200ms',
    });
    receiver = await new Receiver().start();
    svix = new Svix(pipeline.adminToken, { serverUrl: pipeline.apiUrl });
    await svix.eventType.create({ name: eventType, description: 'A payment failed' });
  });

  afterAll(async () => {
    await pipeline?.stop();
    await receiver?.stop();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${pipeline.apiUrl}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${pipeline.adminToken}`, 'content-type': 'application/json' },
    });

  it('walks the tiers, dead-letters when the window is spent, lists it, and delivers it on replay', async () => {
    const app = await svix.application.create({ name: 'Always failing' });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url('/down') });
    let fixed = false;
    receiver.respond = () => ({ status: fixed ? 200 : 503 });
    const message = await svix.message.create(app.id, { eventType, payload: { payment: 'py_1' } });

    const dead = await eventually(async () => {
      const response = await api(`/app/${app.id}/dead-letter`);
      const body = (await response.json()) as { data: Array<{ msgId: string; endpointId: string; attempts: number }> };
      expect(body.data).toHaveLength(1);
      return body.data[0]!;
    }, 20_000);
    expect(dead).toMatchObject({ msgId: message.id, endpointId: endpoint.id, attempts: 3 });
    expect(receiver.on('/down')).toHaveLength(3);

    // The dead topic holds the task with its history.
    const kafka = createKafkaClient({ clientId: 'test-dead', brokers: requireStack().brokers, logger: createLogger('test', 'error') });
    const consumer = kafka.consumer({ groupId: `test-dead-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${pipeline.env.HOOKLINE_TOPIC_PREFIX}.dead`, fromBeginning: true });
    const letters: Array<{ task: { messageId: string; attempt: number }; lastError: string }> = [];
    await consumer.run({ eachMessage: async ({ message: record }) => void letters.push(JSON.parse(record.value!.toString())) });
    try {
      await eventually(() => expect(letters).toHaveLength(1));
    } finally {
      await consumer.disconnect();
    }
    expect(letters[0]).toMatchObject({ task: { messageId: message.id, attempt: 3 }, lastError: expect.stringContaining('HTTP 503') });

    fixed = true;
    const replay = await api(`/app/${app.id}/dead-letter/replay`, { method: 'POST', body: JSON.stringify({ endpointId: endpoint.id }) });
    expect(replay.status).toBe(202);
    expect(await replay.json()).toEqual({ replayed: 1 });

    await eventually(() => expect(receiver.on('/down')).toHaveLength(4));
    const attempts = await eventually(async () => {
      const list = await svix.messageAttempt.listByMsg(app.id, message.id);
      expect(list.data).toHaveLength(4);
      return list.data;
    });
    expect(attempts[0]).toMatchObject({ responseStatusCode: 200, triggerType: 1 }); // newest: the manual replay
    expect(new Set(receiver.on('/down').map((request) => request.headers['webhook-id']))).toEqual(new Set([message.id]));
    await eventually(async () => expect(((await (await api(`/app/${app.id}/dead-letter`)).json()) as { data: unknown[] }).data).toEqual([]));
  });

  it('resends one message and recovers an endpoint, marking the attempts manual', async () => {
    const app = await svix.application.create({ name: 'Resend' });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url('/resend') });
    receiver.respond = () => ({ status: 200 });
    const since = new Date(Date.now() - 1_000).toISOString();
    const message = await svix.message.create(app.id, { eventType, payload: { n: 1 } });
    await eventually(() => expect(receiver.on('/resend')).toHaveLength(1));

    await svix.messageAttempt.resend(app.id, message.id, endpoint.id);
    await eventually(() => expect(receiver.on('/resend')).toHaveLength(2));

    receiver.respond = () => ({ status: 500 });
    const failing = await svix.message.create(app.id, { eventType, payload: { n: 2 } });
    await eventually(async () => expect((await svix.messageAttempt.listByMsg(app.id, failing.id)).data.length).toBeGreaterThan(0));
    receiver.respond = () => ({ status: 200 });
    await svix.endpoint.recover(app.id, endpoint.id, { since: new Date(since) });
    await eventually(async () => {
      const list = await svix.messageAttempt.listByMsg(app.id, failing.id);
      expect(list.data.some((attempt) => attempt.triggerType === 1 && attempt.responseStatusCode === 200)).toBe(true);
    });
  });
});

describe('dead letters behind an open circuit', () => {
  let pipeline: Pipeline;
  let receiver: Receiver;
  let svix: Svix;
  const eventType = `circuit.dead.${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    // The circuit opens after 2 failures and probes after 1 s, 2 s, 4 s...; the window is 4 s.
    // Most tasks are postponed, never attempted, until their postponement would pass the window.
    pipeline = await startPipeline('dead-circuit', {
      HOOKLINE_TOPIC_PARTITIONS: '1',
      HOOKLINE_RETRY_SCHEDULE: '500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms,500ms',
      HOOKLINE_RETRY_JITTER: '0',
      HOOKLINE_DEAD_LETTER_AFTER: '4s',
      HOOKLINE_CIRCUIT_BREAKER_THRESHOLD: '2',
      HOOKLINE_CIRCUIT_BREAKER_COOLDOWN: '1s',
    });
    receiver = await new Receiver().start();
    svix = new Svix(pipeline.adminToken, { serverUrl: pipeline.apiUrl });
    await svix.eventType.create({ name: eventType, description: 'behind an open circuit' });
  });

  afterAll(async () => {
    await pipeline?.stop();
    await receiver?.stop();
  });

  it('dead-letters the tasks it kept postponing once their window is spent, as dead letters the API lists', async () => {
    const app = await svix.application.create({ name: 'Never recovers' });
    await svix.endpoint.create(app.id, { url: receiver.url('/never') });
    receiver.respond = () => ({ status: 503 });
    const messages = await Promise.all(Array.from({ length: 12 }, (_, n) => svix.message.create(app.id, { eventType, payload: { n } })));

    const admin = apiClient(pipeline.apiUrl, pipeline.adminToken);
    const dead = await eventually(async () => {
      const { body } = await admin.get<{ data: Array<{ msgId: string; attempts: number }> }>(`/api/v1/app/${app.id}/dead-letter?limit=50`);
      expect(body.data.map((letter) => letter.msgId).sort()).toEqual(messages.map((message) => message.id).sort());
      return body.data;
    }, 25_000);
    // The breaker held most of them back: far fewer requests than messages, and some messages
    // were never attempted at all, yet every one is a dead letter, not a task postponed forever.
    expect(receiver.on('/never').length).toBeLessThan(messages.length);
    expect(dead.some((letter) => letter.attempts === 0)).toBe(true);
  });
});
