import { type OutcomeRecord, outcomeRecord } from '@hookline/contracts';
import { createKafkaClient } from '@hookline/kafka';
import { createLogger } from '@hookline/logging';
import { type Admin, type Consumer, ConfigResourceTypes } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { eventually, requireStack } from '../support/env.js';
import { usePipeline } from '../support/pipeline.js';
import { useReceiver } from '../support/receiver.js';

// <prefix>.outcomes as a producer on Kafka reads it: one record per message and endpoint once its
// delivery task ended, keyed by message id, exactly in the documented schema, and in agreement
// with the attempts the API lists.

/**
 * A pipeline, its receiver, and the records of its outcomes topic as a producer on Kafka reads
 * them: every one must parse with the published (strict) schema, so a field too many or missing
 * fails the test.
 */
function useOutcomes(name: string, env: Record<string, string>) {
  const ctx = usePipeline(name, { env, eventType: { prefix: 'outcome', description: 'outcomes' } });
  const receiver = useReceiver();
  const records: Array<{ key: string; value: OutcomeRecord }> = [];
  const kafka = { admin: undefined as Admin | undefined, consumer: undefined as Consumer | undefined };

  beforeAll(async () => {
    const client = createKafkaClient({ clientId: `test-${name}`, brokers: requireStack().brokers, logger: createLogger('test', 'error') });
    kafka.admin = client.admin();
    await kafka.admin.connect();
    kafka.consumer = client.consumer({ groupId: `test-${name}-${randomUUID()}` });
    await kafka.consumer.connect();
    await kafka.consumer.subscribe({ topic: `${ctx.pipeline.env.HOOKLINE_TOPIC_PREFIX}.outcomes`, fromBeginning: true });
    await kafka.consumer.run({ eachMessage: async ({ message }) => void records.push({ key: message.key!.toString(), value: outcomeRecord.parse(JSON.parse(message.value!.toString())) }) });
  });

  afterAll(async () => {
    await kafka.consumer?.disconnect();
    await kafka.admin?.disconnect();
  });

  const outcomesOf = (messageId: string, endpointId: string) => records.filter((record) => record.value.messageId === messageId && record.value.endpointId === endpointId);
  return { ctx, receiver, outcomesOf, admin: () => kafka.admin! };
}

describe('the outcomes topic', () => {
  // Three attempts a second apart, a 3-day retention for the outcomes topic.
  const { ctx, receiver, outcomesOf, admin } = useOutcomes('outcomes', { HOOKLINE_RETRY_SCHEDULE: '1s,1s', HOOKLINE_RETRY_JITTER: '0', HOOKLINE_OUTCOMES_RETENTION: '3d' });

  /**
   * The outcome record of the pair, once it arrived. A task may run twice (at least once), and
   * then has two records: they must tell the same outcome.
   */
  const outcomeOf = (messageId: string, endpointId: string) =>
    eventually(() => {
      const [first, ...again] = outcomesOf(messageId, endpointId);
      expect(first).toBeDefined();
      for (const record of again) expect(record.value.outcome).toBe(first!.value.outcome);
      return first!;
    }, 20_000);

  it('records delivered, dead and discarded outcomes, keyed by message id, agreeing with the attempts', async () => {
    const { svix, eventType } = ctx;
    const app = await svix.application.create({ name: 'Outcomes' });
    const ok = await svix.endpoint.create(app.id, { url: receiver.url('/ok'), eventTypes: [eventType] });
    const flaky = await svix.endpoint.create(app.id, { url: receiver.url('/flaky'), eventTypes: [eventType] });
    const broken = await svix.endpoint.create(app.id, { url: receiver.url('/broken'), eventTypes: [eventType] });
    const gone = await svix.endpoint.create(app.id, { url: receiver.url('/gone'), eventTypes: [eventType] });
    receiver.respond = (request) => {
      if (request.path === '/broken') return { status: 500 };
      if (request.path === '/gone') return { status: 410 };
      if (request.path === '/flaky') return { status: receiver.on('/flaky').length === 1 ? 503 : 201 };
      return { status: 200 };
    };
    const eventId = `evt-${randomUUID()}`;
    const message = await svix.message.create(app.id, { eventType, eventId, payload: { order: 1 } });
    const common = { messageId: message.id, eventId, applicationId: app.id, eventType, trigger: 'scheduled', acceptedAt: message.timestamp.toISOString(), at: expect.any(String) };

    const delivered = await outcomeOf(message.id, ok.id);
    expect(delivered).toEqual({ key: message.id, value: { outcome: 'delivered', ...common, endpointId: ok.id, attempts: 1, statusCode: 200, latencyMs: expect.any(Number) } });
    const retried = await outcomeOf(message.id, flaky.id);
    expect(retried.value).toEqual({ outcome: 'delivered', ...common, endpointId: flaky.id, attempts: 2, statusCode: 201, latencyMs: expect.any(Number) });
    // Latency runs from acceptance to the answer: the retry waited a second.
    expect(retried.value.outcome === 'delivered' && retried.value.latencyMs).toBeGreaterThanOrEqual(1_000);
    expect(Date.parse(retried.value.at) - Date.parse(common.acceptedAt)).toBe(retried.value.outcome === 'delivered' && retried.value.latencyMs);
    const dead = await outcomeOf(message.id, broken.id);
    expect(dead.value).toEqual({ outcome: 'dead', ...common, endpointId: broken.id, attempts: 3, lastError: 'HTTP 500: nope' });
    const discarded = await outcomeOf(message.id, gone.id);
    expect(discarded.value).toEqual({ outcome: 'discarded', ...common, endpointId: gone.id, attempts: 1, reason: 'endpoint-gone' });

    // The attempts the API lists agree: their number (over every record of the pair, should a
    // task have run twice), and the last one's status.
    const attempts = (await svix.messageAttempt.listByMsg(app.id, message.id, { limit: 100 })).data;
    for (const { value } of [delivered, retried, dead, discarded]) {
      const ofEndpoint = attempts.filter((attempt) => attempt.endpointId === value.endpointId).sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
      const recorded = outcomesOf(message.id, value.endpointId).reduce((sum, record) => sum + record.value.attempts, 0);
      expect([value.endpointId, ofEndpoint.length]).toEqual([value.endpointId, recorded]);
      if (value.outcome === 'delivered') expect(ofEndpoint.at(-1)!.responseStatusCode).toBe(value.statusCode);
    }

    // A resend of the dead delivery is a task of its own, with an outcome of its own.
    receiver.respond = () => ({ status: 200 });
    await svix.messageAttempt.resend(app.id, message.id, broken.id);
    await eventually(() => expect(outcomesOf(message.id, broken.id).map((record) => [record.value.outcome, record.value.trigger, record.value.attempts]).at(-1)).toEqual(['delivered', 'manual', 1]));
  });

  it('creates the topic with the retention HOOKLINE_OUTCOMES_RETENTION sets', async () => {
    const topic = `${ctx.pipeline.env.HOOKLINE_TOPIC_PREFIX}.outcomes`;
    const described = await admin().describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'cleanup.policy'] }] });
    const entries = Object.fromEntries(described.resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue]));
    expect(entries).toEqual({ 'retention.ms': String(3 * 86_400_000), 'cleanup.policy': 'delete' });
  });
});

describe('the outcomes topic, for tasks whose endpoint changed before their retry', () => {
  // Retries 10 s apart: the endpoints change well before delivery, which caches them for 2 s, can
  // retry, however slowly a busy machine runs the test.
  const { ctx, receiver, outcomesOf } = useOutcomes('outcomes-dropped', { HOOKLINE_RETRY_SCHEDULE: '10s,10s', HOOKLINE_RETRY_JITTER: '0' });

  it('records a task dropped because its endpoint was deleted or disabled before its retry', async () => {
    const { svix, eventType } = ctx;
    const app = await svix.application.create({ name: 'Dropped' });
    const deleted = await svix.endpoint.create(app.id, { url: receiver.url('/to-delete'), eventTypes: [eventType] });
    const disabled = await svix.endpoint.create(app.id, { url: receiver.url('/to-disable'), eventTypes: [eventType] });
    receiver.respond = (request) => ({ status: request.path.startsWith('/to-') ? 500 : 200 });
    const message = await svix.message.create(app.id, { eventType, payload: { order: 2 } });

    // Changed after their first attempt failed, well before their retry.
    await eventually(() => expect(receiver.on('/to-delete').length + receiver.on('/to-disable').length).toBe(2), 10_000);
    await svix.endpoint.delete(app.id, deleted.id);
    await svix.endpoint.patch(app.id, disabled.id, { disabled: true });

    // Delivery may see a change up to 2 s late (its endpoint cache), and a task may run twice
    // (at least once): every record of the pair says why it ended, and their attempts add up to
    // the requests the receiver got.
    for (const [endpoint, path, reason] of [[deleted, '/to-delete', 'endpoint-deleted'], [disabled, '/to-disable', 'endpoint-disabled']] as const) {
      await eventually(() => {
        const found = outcomesOf(message.id, endpoint.id).map((record) => record.value);
        expect(found.length).toBeGreaterThan(0);
        expect(found.map((value) => [value.outcome, value.outcome === 'discarded' && value.reason, value.eventId])).toEqual(found.map(() => ['discarded', reason, null]));
        expect(found.reduce((sum, value) => sum + value.attempts, 0)).toBe(receiver.on(path).length);
      }, 20_000);
    }
  });
});
