import { REJECTION_REASON_HEADER } from '@hookline/contracts';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { eventually } from '../support/env.js';
import { publish, readTopic } from '../support/kafka.js';
import { usePipeline } from '../support/pipeline.js';
import { useReceiver } from '../support/receiver.js';

describe('the delivery pipeline end to end: real Kafka, PostgreSQL and HTTP', () => {
  const ctx = usePipeline('e2e', { eventType: { prefix: 'invoice.paid', description: 'An invoice was paid' } });
  const receiver = useReceiver();

  it('delivers a message created with the svix SDK, signed so standardwebhooks verifies it', async () => {
    const { svix, eventType } = ctx;
    const app = await svix.application.create({ name: 'Acme', uid: `acme-${randomUUID().slice(0, 8)}` });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url('/sdk'), eventTypes: [eventType] });
    const { key } = await svix.endpoint.getSecret(app.id, endpoint.id);
    expect(key).toMatch(/^whsec_/);

    const payload = { invoice: 'in_1', amount: 4200 };
    const message = await svix.message.create(app.id, { eventType, payload, eventId: `evt-${randomUUID()}` });

    const [request] = await eventually(() => {
      const received = receiver.on('/sdk');
      expect(received).toHaveLength(1);
      return received;
    });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['webhook-id']).toBe(message.id);
    const verified = new Webhook(key).verify(request!.body, request!.headers as Record<string, string>);
    expect(verified).toEqual(payload);

    const attempts = await eventually(async () => {
      const list = await svix.messageAttempt.listByMsg(app.id, message.id);
      expect(list.data).toHaveLength(1);
      return list;
    });
    expect(attempts.data[0]).toMatchObject({ responseStatusCode: 200, status: 0, endpointId: endpoint.id, msgId: message.id });
    const byEndpoint = await svix.messageAttempt.listByEndpoint(app.id, endpoint.id);
    expect(byEndpoint.data.map((attempt) => attempt.id)).toEqual([attempts.data[0]!.id]);
  });

  it('delivers only to endpoints whose event types and channels match', async () => {
    const { svix, eventType } = ctx;
    const app = await svix.application.create({ name: 'Filters' });
    const otherType = `${eventType}.other`;
    await svix.eventType.create({ name: otherType, description: 'unrelated' });
    await svix.endpoint.create(app.id, { url: receiver.url('/typed'), eventTypes: [eventType] });
    await svix.endpoint.create(app.id, { url: receiver.url('/other'), eventTypes: [otherType] });
    await svix.endpoint.create(app.id, { url: receiver.url('/eu'), channels: ['eu'] });
    await svix.endpoint.create(app.id, { url: receiver.url('/all') });

    await svix.message.create(app.id, { eventType, payload: { n: 1 }, channels: ['us'] });
    await eventually(() => {
      expect(receiver.on('/typed')).toHaveLength(1);
      expect(receiver.on('/all')).toHaveLength(1);
    });
    await svix.message.create(app.id, { eventType: otherType, payload: { n: 2 }, channels: ['eu'] });
    await eventually(() => {
      expect(receiver.on('/other')).toHaveLength(1);
      expect(receiver.on('/eu')).toHaveLength(1);
      expect(receiver.on('/all')).toHaveLength(2);
    });
    expect(receiver.on('/typed')).toHaveLength(1);
  });

  it('delivers an event published straight to the ingest topic, and rejects a malformed one with its reason', async () => {
    const { svix, pipeline, eventType } = ctx;
    const uid = `kafka-${randomUUID().slice(0, 8)}`;
    const app = await svix.application.create({ name: 'Kafka producer', uid });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url('/kafka') });
    const { key } = await svix.endpoint.getSecret(app.id, endpoint.id);

    const prefix = pipeline.env.HOOKLINE_TOPIC_PREFIX;
    await publish(`${prefix}.ingest`, [
      { key: uid, value: 'not json at all' },
      { key: uid, value: JSON.stringify({ eventType: 'bad type!', payload: {} }) },
      { key: 'no-such-app', value: JSON.stringify({ eventType, payload: {} }) },
      // PostgreSQL cannot store U+0000: such a record would fail its insert on every retry.
      { key: uid, value: JSON.stringify({ eventType, payload: { note: 'a\u0000b' } }) },
      { key: uid, value: JSON.stringify({ eventType, payload: { via: 'kafka' } }) },
    ]);

    const [request] = await eventually(() => {
      const received = receiver.on('/kafka');
      expect(received).toHaveLength(1);
      return received;
    });
    expect(new Webhook(key).verify(request!.body, request!.headers as Record<string, string>)).toEqual({ via: 'kafka' });

    const rejected = await readTopic(
      `${prefix}.ingest.rejected`,
      (message) => ({ value: message.value!.toString(), reason: message.headers![REJECTION_REASON_HEADER]!.toString() }),
      (read) => expect(read).toHaveLength(4),
    );
    // Records of one key are processed concurrently, so rejections may land in any order.
    const reasonFor = (value: string) => rejected.find((entry) => entry.value === value)?.reason;
    expect(reasonFor('not json at all')).toMatch(/^value: not JSON/);
    expect(reasonFor(JSON.stringify({ eventType: 'bad type!', payload: {} }))).toMatch(/^value\.eventType: /);
    expect(reasonFor(JSON.stringify({ eventType, payload: {} }))).toBe('key: no application with id or uid "no-such-app"');
    expect(reasonFor(JSON.stringify({ eventType, payload: { note: 'a\u0000b' } }))).toBe('value.payload.note: must not contain the NUL character (U+0000)');
  });
});
