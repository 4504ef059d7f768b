import { REJECTION_REASON_HEADER } from '@hookline/contracts';
import { createKafkaClient } from '@hookline/kafka';
import { createLogger } from '@hookline/logging';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Svix } from 'svix';
import { eventually, requireStack } from '../support/env.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';
import { Receiver } from '../support/receiver.js';

describe('the delivery pipeline end to end: real Kafka, PostgreSQL and HTTP', () => {
  let pipeline: Pipeline;
  let receiver: Receiver;
  let svix: Svix;
  const eventType = `invoice.paid.${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    pipeline = await startPipeline('e2e');
    receiver = await new Receiver().start();
    svix = new Svix(pipeline.adminToken, { serverUrl: pipeline.apiUrl });
    await svix.eventType.create({ name: eventType, description: 'An invoice was paid' });
  });

  afterAll(async () => {
    await pipeline?.stop();
    await receiver?.stop();
  });

  it('delivers a message created with the svix SDK, signed so standardwebhooks verifies it', async () => {
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
    const uid = `kafka-${randomUUID().slice(0, 8)}`;
    const app = await svix.application.create({ name: 'Kafka producer', uid });
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url('/kafka') });
    const { key } = await svix.endpoint.getSecret(app.id, endpoint.id);

    const { brokers } = requireStack();
    const kafka = createKafkaClient({ clientId: 'test-producer', brokers, logger: createLogger('test', 'error') });
    const producer = kafka.producer();
    await producer.connect();
    const prefix = pipeline.env.HOOKLINE_TOPIC_PREFIX;
    await producer.send({
      topic: `${prefix}.ingest`,
      messages: [
        { key: uid, value: 'not json at all' },
        { key: uid, value: JSON.stringify({ eventType: 'bad type!', payload: {} }) },
        { key: 'no-such-app', value: JSON.stringify({ eventType, payload: {} }) },
        // PostgreSQL cannot store U+0000: such a record would fail its insert on every retry.
        { key: uid, value: JSON.stringify({ eventType, payload: { note: 'a\u0000b' } }) },
        { key: uid, value: JSON.stringify({ eventType, payload: { via: 'kafka' } }) },
      ],
    });
    await producer.disconnect();

    const [request] = await eventually(() => {
      const received = receiver.on('/kafka');
      expect(received).toHaveLength(1);
      return received;
    });
    expect(new Webhook(key).verify(request!.body, request!.headers as Record<string, string>)).toEqual({ via: 'kafka' });

    const consumer = kafka.consumer({ groupId: `test-rejected-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}.ingest.rejected`, fromBeginning: true });
    const rejected: Array<{ value: string; reason: string }> = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        rejected.push({ value: message.value!.toString(), reason: message.headers![REJECTION_REASON_HEADER]!.toString() });
      },
    });
    try {
      await eventually(() => expect(rejected).toHaveLength(4));
    } finally {
      await consumer.disconnect();
    }
    // Records of one key are processed concurrently, so rejections may land in any order.
    const reasonFor = (value: string) => rejected.find((entry) => entry.value === value)?.reason;
    expect(reasonFor('not json at all')).toMatch(/^value: not JSON/);
    expect(reasonFor(JSON.stringify({ eventType: 'bad type!', payload: {} }))).toMatch(/^value\.eventType: /);
    expect(reasonFor(JSON.stringify({ eventType, payload: {} }))).toBe('key: no application with id or uid "no-such-app"');
    expect(reasonFor(JSON.stringify({ eventType, payload: { note: 'a\u0000b' } }))).toBe('value.payload.note: must not contain the NUL character (U+0000)');
  });
});
