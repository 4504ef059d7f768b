import { randomUUID } from 'node:crypto';
import { eventually } from '../support/env.js';
import { publish } from '../support/kafka.js';
import { evenRetries, type Pipeline, startPipeline } from '../support/pipeline.js';
import { type ReceivedRequest, Receiver } from '../support/receiver.js';
import { killServiceProcesses, type ServiceProcess, startServiceProcess, waitReady } from '../support/service-process.js';
import { apiClient, type ApiClient } from '../support/api-client.js';

/**
 * Ordered delivery (docs/adr/0012) against the real Kafka, PostgreSQL and HTTP, with fanout and
 * delivery running as the real built services so that they can be SIGKILLed mid-run. Ingest and
 * retry run in this process. Per ordering key, the sequence numbers the receiver sees must never
 * go backwards; repeats are allowed.
 */

const RETRY_DELAY = '500ms';

interface Seen {
  key: string;
  seq: number;
  via: string;
  at: number;
  status: number;
}

/** Each request to a path as { key, seq, via }, in arrival order, with the status it was answered. */
function seenOn(receiver: Receiver, path: string, answered: Map<ReceivedRequest, number>): Seen[] {
  return receiver.on(path).map((request) => {
    const { key, seq, via } = JSON.parse(request.body) as { key: string; seq: number; via: string };
    return { key, seq, via, at: request.at, status: answered.get(request) ?? 0 };
  });
}

/** Per key, each place where a sequence number came after a higher one. */
function orderViolations(seen: readonly Seen[]): Array<{ key: string; after: number; got: number }> {
  const highest = new Map<string, number>();
  const violations = [];
  for (const { key, seq } of seen) {
    const before = highest.get(key) ?? -1;
    if (seq < before) violations.push({ key, after: before, got: seq });
    highest.set(key, Math.max(before, seq));
  }
  return violations;
}

describe('ordered delivery per endpoint and ordering key', () => {
  let pipeline: Pipeline;
  let receiver: Receiver;
  let admin: ApiClient;
  let fanout: ServiceProcess;
  let delivery: ServiceProcess;
  const eventType = `order.changed.${randomUUID().slice(0, 8)}`;
  /** The status each request was answered with. */
  const answered = new Map<ReceivedRequest, number>();
  /** What the receiver answers, per request (200 unless set). */
  let decide: (request: ReceivedRequest, body: { key: string; seq: number }) => number = () => 200;

  beforeAll(async () => {
    pipeline = await startPipeline(
      'ordering',
      {
        // Enough tiers that a head failing through both restarts is still retried, never dead.
        ...evenRetries(RETRY_DELAY, 60),
        HOOKLINE_DEAD_LETTER_AFTER: '1h',
        // Failures are the point here: the breaker must not postpone the endpoint as a whole.
        HOOKLINE_CIRCUIT_BREAKER_THRESHOLD: '100000',
        HOOKLINE_KAFKA_SESSION_TIMEOUT: '6s',
      },
      ['ingest', 'retry'],
    );
    [fanout, delivery] = await Promise.all([startServiceProcess('fanout', pipeline.env), startServiceProcess('delivery', pipeline.env)]);
    await Promise.all([waitReady(fanout, 60_000), waitReady(delivery, 60_000)]);
    receiver = await new Receiver().start();
    receiver.respond = (request) => {
      const status = request.path === '/fifo' ? decide(request, JSON.parse(request.body) as { key: string; seq: number }) : 200;
      answered.set(request, status);
      return { status, delayMs: 10 };
    };
    admin = apiClient(pipeline.apiUrl, pipeline.adminToken);
    expect((await admin.post('/api/v1/event-type', { name: eventType, description: 'An order changed' })).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await killServiceProcesses();
    await pipeline?.stop();
    await receiver?.stop();
  });

  /** An application with a FIFO endpoint on /fifo and an ordinary one on /plain, both for the event type. */
  async function application(name: string): Promise<{ appId: string; fifoId: string }> {
    const app = (await admin.post<{ id: string }>('/api/v1/app', { name })).body;
    const fifo = await admin.post<{ id: string; ordering: string }>(`/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/fifo'), eventTypes: [eventType], ordering: 'fifo' });
    expect(fifo.body.ordering).toBe('fifo');
    const plain = await admin.post<{ ordering: string }>(`/api/v1/app/${app.id}/endpoint`, { url: receiver.url('/plain'), eventTypes: [eventType] });
    expect(plain.body.ordering).toBe('none');
    return { appId: app.id, fifoId: fifo.body.id };
  }

  /** Sends seq 0..count-1 of a key through the API, each once the previous one was accepted. */
  async function sendThroughApi(appId: string, key: string, count: number, run: string): Promise<void> {
    for (let seq = 0; seq < count; seq++) {
      const answer = await admin.post(`/api/v1/app/${appId}/msg`, { eventType, orderingKey: key, payload: { run, key, seq, via: 'api' } });
      expect(answer).toMatchObject({ status: 202, body: { orderingKey: key } });
    }
  }

  it('holds only the key whose head fails, shows what holds it, and slows neither its other keys nor another endpoint', async () => {
    const run = randomUUID().slice(0, 8);
    const { appId, fifoId } = await application(`Held ${run}`);
    // The held key's head fails until the test lets it through, however long a busy machine takes.
    let holding = true;
    decide = (_, body) => (body.key === `${run}-held` && body.seq === 0 && holding ? 500 : 200);
    const sentAt = Date.now();
    await Promise.all([sendThroughApi(appId, `${run}-held`, 5, run), sendThroughApi(appId, `${run}-free`, 5, run)]);
    const mine = () => seenOn(receiver, '/fifo', answered).filter((entry) => entry.key.startsWith(run));

    // The free key is delivered in full while the held one is still held.
    await eventually(() => expect(mine().filter((entry) => entry.key === `${run}-free` && entry.status === 200).map((entry) => entry.seq)).toEqual([0, 1, 2, 3, 4]), 10_000);
    expect(mine().filter((entry) => entry.key === `${run}-held`).map((entry) => entry.seq)).toEqual(expect.arrayContaining([0]));
    expect(mine().filter((entry) => entry.key === `${run}-held` && entry.seq > 0)).toEqual([]);
    // The other endpoint of the application got every message, held key included, without waiting.
    const plain = () => receiver.on('/plain').map((request) => JSON.parse(request.body) as { run: string; key: string; seq: number }).filter((body) => body.run === run);
    await eventually(() => expect(plain()).toHaveLength(10), 10_000);

    const held = await admin.get<{ data: Array<Record<string, unknown>>; done: boolean }>(`/api/v1/app/${appId}/endpoint/${fifoId}/ordering`);
    expect(held).toMatchObject({ status: 200, body: { done: true } });
    expect(held.body.data).toEqual([
      { orderingKey: `${run}-held`, blockedBy: expect.any(String), blockedSince: expect.any(String), attempts: expect.any(Number), nextAttempt: expect.any(String), waiting: 4 },
    ]);
    expect(Date.parse(held.body.data[0]!.blockedSince as string)).toBeGreaterThanOrEqual(sentAt - 1_000);
    const blocking = await admin.get<{ payload: { key: string; seq: number } }>(`/api/v1/app/${appId}/msg/${held.body.data[0]!.blockedBy as string}`);
    expect(blocking.body.payload).toMatchObject({ key: `${run}-held`, seq: 0 });
    // Still held here: nothing behind its head went out while the rest was delivered.
    expect(mine().filter((entry) => entry.key === `${run}-held` && entry.seq > 0)).toEqual([]);
    holding = false;

    // Once the head gets through, the rest of its key follows, in order.
    await eventually(() => expect(mine().filter((entry) => entry.key === `${run}-held` && entry.status === 200).map((entry) => entry.seq)).toEqual([0, 1, 2, 3, 4]), 20_000);
    expect(orderViolations(mine())).toEqual([]);
    expect((await admin.get<{ data: unknown[] }>(`/api/v1/app/${appId}/endpoint/${fifoId}/ordering`)).body.data).toEqual([]);
    // Each delivery says its key and its position, which grows within the key.
    const headers = receiver.on('/fifo').filter((request) => request.body.includes(`${run}-free`) && answered.get(request) === 200);
    const positions = headers.map((request) => Number(request.headers['hookline-position']));
    expect(headers.map((request) => request.headers['hookline-ordering-key'])).toEqual(headers.map(() => `${run}-free`));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  }, 60_000);

  it('keeps every key in order through random failures and SIGKILLed fanout and delivery services, from the API and the ingest topic alike', async () => {
    const run = randomUUID().slice(0, 8);
    const { appId } = await application(`Chaos ${run}`);
    const perKey = 30;
    const apiKeys = [`${run}-api-0`, `${run}-api-1`];
    const kafkaKeys = [`${run}-kafka-0`, `${run}-kafka-1`];
    /** Set from just before the first kill until both services are back: every delivery fails, so the second kill, too, finds messages in flight and still to deliver. */
    let holding = false;
    decide = (_, body) => (body.key.startsWith(run) && (holding || Math.random() < 0.25) ? 500 : 200);
    const mine = () => seenOn(receiver, '/fifo', answered).filter((entry) => entry.key.startsWith(run));
    const delivered = () => new Set(mine().filter((entry) => entry.status === 200).map((entry) => `${entry.key}/${entry.seq}`));

    const publishing = (async () => {
      // Onto the ingest topic in batches, each batch in order; every record with an eventId.
      for (let from = 0; from < perKey; from += 5) {
        await publish(
          `${pipeline.env.HOOKLINE_TOPIC_PREFIX}.ingest`,
          kafkaKeys.flatMap((key) =>
            Array.from({ length: 5 }, (_, n) => ({ key: appId, value: JSON.stringify({ eventType, eventId: `${key}-${from + n}`, orderingKey: key, payload: { run, key, seq: from + n, via: 'kafka' } }) })),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const sending = Promise.all(apiKeys.map((key) => sendThroughApi(appId, key, perKey, run)));

    /** SIGKILLs a service while requests are under way, and starts it again. */
    let killedAt = 0;
    const deliveredAtKills: number[] = [];
    const kill = async (service: ServiceProcess): Promise<ServiceProcess> => {
      killedAt ||= Date.now();
      service.process.kill('SIGKILL');
      deliveredAtKills.push(delivered().size);
      expect(await service.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const again = await startServiceProcess(service === fanout ? 'fanout' : 'delivery', pipeline.env);
      await waitReady(again, 60_000);
      return again;
    };
    await eventually(() => expect(delivered().size).toBeGreaterThanOrEqual((perKey * 4) / 5), 90_000, 20);
    holding = true;
    fanout = await kill(fanout);
    delivery = await kill(delivery);
    holding = false;
    await Promise.all([publishing, sending]);

    const expected = [...apiKeys, ...kafkaKeys].flatMap((key) => Array.from({ length: perKey }, (_, seq) => `${key}/${seq}`)).sort();
    await eventually(() => expect([...delivered()].sort()).toEqual(expected), 90_000, 250);
    const seen = mine();
    const repeats = seen.length - new Set(seen.map((entry) => `${entry.key}/${entry.seq}/${entry.status}`)).size;
    console.info(
      `ordering under failures and SIGKILLs: ${JSON.stringify({ requests: seen.length, failed: seen.filter((entry) => entry.status !== 200).length, repeats, deliveredAtKills, doneAfterFirstKillMs: Date.now() - killedAt })}`,
    );
    // Both were killed mid-run, with messages still to deliver.
    expect(Math.max(...deliveredAtKills)).toBeLessThan(expected.length);
    expect(orderViolations(seen)).toEqual([]);
    // Ingest topic and API messages went the same way.
    expect(new Set(seen.map((entry) => entry.via))).toEqual(new Set(['api', 'kafka']));
  }, 240_000);
});
