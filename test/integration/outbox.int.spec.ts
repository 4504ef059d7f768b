import { REPEAT_HEADER } from '@hookline/contracts';
import { createKafkaClient } from '@hookline/kafka';
import { createLogger } from '@hookline/logging';
import type { Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { type ApiClient, apiClient } from '../support/api-client.js';
import { eventually, isolatedDatabase, migrate, requireStack } from '../support/env.js';
import { type Pipeline, startPipeline } from '../support/pipeline.js';

// The outbox: a message stored but never emitted (the process died between the insert and the
// send, or Kafka refused the send) still reaches the events topic. The rows are written here as
// such a crash leaves them; only ingest runs, against the real PostgreSQL and Kafka. The database
// is this test's own: every other test's ingest would relay stranded rows of a shared one to its
// own topics.

describe('the outbox relay', () => {
  let pipeline: Pipeline;
  let admin: ApiClient;
  let consumer: Consumer;
  let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
  let database: pg.Pool;
  /** Each event read, and whether it says it may repeat one emitted before (REPEAT_HEADER). */
  const emitted: Array<{ messageId: string; eventId: string | null; at: number; repeat: boolean }> = [];
  const eventType = `outbox.${randomUUID().slice(0, 8)}`;
  let applicationId: string;

  beforeAll(async () => {
    isolated = await isolatedDatabase('outbox');
    await migrate(isolated.url);
    database = new pg.Pool({ connectionString: isolated.url, max: 2 });
    // The drop at the end (FORCE) can reach a connection the pool is still closing: its FATAL is
    // an 'error' event, which would fail whichever test runs then.
    database.on('error', () => undefined);
    pipeline = await startPipeline('outbox', { DATABASE_URL: isolated.url }, ['ingest']);
    admin = apiClient(pipeline.apiUrl, pipeline.adminToken);
    expect((await admin.post('/api/v1/event-type', { name: eventType, description: 'outbox' })).status).toBe(201);
    applicationId = (await admin.post<{ id: string }>('/api/v1/app', { name: 'Outbox' })).body.id;
    const kafka = createKafkaClient({ clientId: 'test-outbox', brokers: requireStack().brokers, logger: createLogger('test', 'error') });
    consumer = kafka.consumer({ groupId: `test-outbox-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${pipeline.env.HOOKLINE_TOPIC_PREFIX}.events`, fromBeginning: true });
    // On a fresh broker the first group join can take many seconds; the timings below start after it.
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = JSON.parse(message.value!.toString()) as { messageId: string; eventId: string | null };
        emitted.push({ messageId: value.messageId, eventId: value.eventId, at: Date.now(), repeat: message.headers?.[REPEAT_HEADER] !== undefined });
      },
    });
    await joined;
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await pipeline?.stop();
    await database?.end();
    await isolated?.drop();
  });

  /** A message as an ingest that died after its insert leaves it: stored, still in the outbox. */
  async function strandedMessage(ageMs: number, eventId: string | null = null, { payload = '{"stranded":true}', application = applicationId, fromIngestTopic = false } = {}): Promise<string> {
    const id = uuidv7();
    await database.query(
      `WITH inserted AS (
         INSERT INTO messages (id, application_id, event_type, event_id, channels, payload, created_at)
         VALUES ($1, $2, $3, $4, '{}', $6::jsonb, now() - make_interval(secs => $5::double precision / 1000))
         RETURNING id, created_at)
       INSERT INTO message_outbox (message_id, created_at, from_ingest_topic) SELECT id, created_at, $7 FROM inserted`,
      [id, application, eventType, eventId, ageMs, payload, fromIngestTopic],
    );
    return id;
  }

  const isEmitted = async (id: string) => (await database.query('SELECT 1 FROM message_outbox WHERE message_id = $1', [id])).rowCount === 0;

  it('emits a message stranded past the grace period and marks it emitted, but leaves a fresh one to its own request', async () => {
    const old = await strandedMessage(60_000);
    const fresh = await strandedMessage(0);
    const started = Date.now();
    const ids = () => emitted.map((event) => event.messageId);
    await eventually(() => expect(ids()).toContain(old));
    // The fresh one is younger than the 10 s grace: the sweep that took the old one skipped it.
    expect(ids()).not.toContain(fresh);
    await eventually(async () => expect(await isEmitted(old)).toBe(true));
    // Once its grace has passed it is emitted too: nothing stored is left behind.
    await eventually(() => expect(ids()).toContain(fresh), 25_000);
    expect(emitted.find((event) => event.messageId === fresh)!.at - started).toBeGreaterThanOrEqual(9_000);
    await eventually(async () => expect(await isEmitted(fresh)).toBe(true));
    // The relay cannot know whether a first emit went through: its events say they may repeat one.
    expect(emitted.filter((event) => event.messageId === old || event.messageId === fresh).map((event) => event.repeat)).toEqual([true, true]);
  });

  it("leaves the row of an ingest-topic record to its record, however old: emitting it early would put it ahead of the records before it", async () => {
    const owned = await strandedMessage(60_000, null, { fromIngestTopic: true });
    const old = await strandedMessage(60_000);
    await eventually(() => expect(emitted.map((event) => event.messageId)).toContain(old));
    // Two more sweeps (every 5 s) and it is still there, never emitted. Each sweep is witnessed by a
    // stranded row added before it and emitted by it: the sweep takes its rows in id order and owned's
    // is lower, so had it taken owned too, owned would have been sent first, on the same partition.
    for (let sweep = 0; sweep < 2; sweep++) {
      const witness = await strandedMessage(60_000);
      await eventually(() => expect(emitted.map((event) => event.messageId)).toContain(witness), 25_000);
      await eventually(async () => expect(await isEmitted(witness)).toBe(true));
    }
    expect(emitted.map((event) => event.messageId)).not.toContain(owned);
    expect(await isEmitted(owned)).toBe(false);
    await database.query('DELETE FROM message_outbox WHERE message_id = $1', [owned]);
  });

  it('emits a stranded message at once when its eventId is sent again, answering with the stored one', async () => {
    const eventId = `again-${randomUUID()}`;
    const id = await strandedMessage(0, eventId);
    const sent = Date.now();
    const reply = await admin.post(`/api/v1/app/${applicationId}/msg`, { eventType, eventId, payload: { second: true } });
    expect(reply.status).toBe(409);
    await eventually(() => expect(emitted.filter((event) => event.eventId === eventId).map((event) => event.messageId)).toEqual([id]));
    // Well before the relay's grace period would have let it go; marked as a possible repeat.
    expect(emitted.find((event) => event.messageId === id)).toMatchObject({ repeat: true });
    expect(emitted.find((event) => event.messageId === id)!.at - sent).toBeLessThan(5_000);
    // A message emitted for the first time is not.
    const first = await admin.post<{ id: string }>(`/api/v1/app/${applicationId}/msg`, { eventType, payload: { first: true } });
    await eventually(() => expect(emitted.find((event) => event.messageId === first.body.id)).toMatchObject({ repeat: false }));
    await eventually(async () => expect(await isEmitted(id)).toBe(true));
  });

  it('sets aside a stored message it cannot emit (nested 5,000 deep, from before the limit) and emits the other tenants\' rows behind it; the listing still answers', async () => {
    // Stored as an ingest without today's limit stored it: PostgreSQL takes it, Node's JSON.stringify cannot write it again.
    const deep = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
    const jammed = await strandedMessage(60_000, null, { payload: deep });
    const otherTenant = (await admin.post<{ id: string }>('/api/v1/app', { name: 'Behind the jam' })).body.id;
    const behind = await Promise.all(Array.from({ length: 3 }, () => strandedMessage(60_000, null, { application: otherTenant })));
    await eventually(() => expect(emitted.map((event) => event.messageId)).toEqual(expect.arrayContaining(behind)));
    expect(emitted.map((event) => event.messageId)).not.toContain(jammed);
    await eventually(async () => expect(await Promise.all(behind.map(isEmitted))).toEqual([true, true, true]));
    const { rows } = await database.query<{ quarantined_at: Date | null; problem: string | null }>('SELECT quarantined_at, problem FROM message_outbox WHERE message_id = $1', [jammed]);
    expect(rows).toEqual([{ quarantined_at: expect.any(Date), problem: 'payload.a.a.a.a.a.a.a.a...: must not nest objects and arrays deeper than 128 levels' }]);

    const notice = { $unreadable: 'payload not shown (stored before Hookline refused such payloads): must not nest objects and arrays deeper than 128 levels' };
    const listed = await admin.get<{ data: Array<{ id: string; payload: unknown }> }>(`/api/v1/app/${applicationId}/msg?limit=250`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.find((message) => message.id === jammed)?.payload).toEqual(notice);
    expect(listed.body.data.filter((message) => message.id !== jammed).every((message) => JSON.stringify(message.payload).length < 100)).toBe(true);
    const one = await admin.get<{ payload: unknown }>(`/api/v1/app/${applicationId}/msg/${jammed}`);
    expect(one).toMatchObject({ status: 200, body: { payload: notice } });
  });
});
