import { randomUUID } from 'node:crypto';
import { Svix } from 'svix';
import { eventually } from '../support/env.js';
import { LocalBroker } from '../support/local-broker.js';
import { type Pipeline, pipelineEnv, startPipeline } from '../support/pipeline.js';
import { Receiver } from '../support/receiver.js';
import { readiness, startServiceProcess, waitReady } from '../support/service-process.js';

const SESSION_TIMEOUT_MS = 6_000;
const MESSAGES = 300;

/**
 * The broker dies (SIGKILL) while delivery is half way through a backlog and stays away for
 * longer than the consumers' session timeout, long enough for kafkajs to give its consumers up
 * ("Failed to find group coordinator" is not retriable). Every consumer must come back on its
 * own and every message be delivered; meanwhile readiness says why the services are not ready.
 */
describe('a broker away for longer than the session timeout', () => {
  let broker: LocalBroker;
  let pipeline: Pipeline;
  let receiver: Receiver;

  beforeAll(async () => {
    broker = await LocalBroker.start('outage');
    // No API rate limit: the 300 messages go through one token faster than the default 100/s
    // (bursts of 200) allows, and this test is about the broker, not the limiter.
    pipeline = await startPipeline('kafka-outage', { KAFKA_BROKERS: broker.url, HOOKLINE_KAFKA_SESSION_TIMEOUT: `${SESSION_TIMEOUT_MS}ms`, HOOKLINE_API_RATE_LIMIT: '0' });
    receiver = await new Receiver().start();
  }, 120_000);

  afterAll(async () => {
    await pipeline?.stop();
    await receiver?.stop();
    await broker?.remove();
  }, 60_000);

  it('restarts every consumer, and delivers every message, mid-batch included', async () => {
    const svix = new Svix(pipeline.adminToken, { serverUrl: pipeline.apiUrl });
    const eventType = `outage.${randomUUID().slice(0, 8)}`;
    await svix.eventType.create({ name: eventType, description: 'Sent across a broker outage' });
    const app = await svix.application.create({ name: 'Outage' });
    await svix.endpoint.create(app.id, { url: receiver.url('/slow'), eventTypes: [eventType] });
    // Slow enough that the backlog is still being delivered when the broker dies.
    receiver.respond = () => ({ status: 200, delayMs: 100 });

    const ids: string[] = [];
    for (let start = 0; start < MESSAGES; start += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, MESSAGES - start) }, (_, n) => svix.message.create(app.id, { eventType, payload: { n: start + n } })));
      ids.push(...batch.map((message) => message.id));
    }
    await eventually(() => expect(receiver.requests.length).toBeGreaterThanOrEqual(20), 30_000);

    await broker.kill();
    const deliveredAtKill = new Set(receiver.requests.map((request) => request.headers['webhook-id'])).size;
    expect(deliveredAtKill).toBeLessThan(MESSAGES);

    // Readiness turns 503, naming what is down, while the broker is away.
    const ready = await eventually(async () => {
      const response = await fetch(`${pipeline.apiUrl}/health/ready`);
      expect(response.status).toBe(503);
      return (await response.json()) as { checks: Record<string, string> };
    }, 2 * SESSION_TIMEOUT_MS);
    expect(ready.checks.kafka).not.toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 2.5 * SESSION_TIMEOUT_MS));
    await broker.startAgain();

    await eventually(
      () => {
        const received = new Set(receiver.requests.map((request) => request.headers['webhook-id']));
        expect(ids.filter((id) => !received.has(id))).toEqual([]);
      },
      120_000,
      500,
    );
    await eventually(async () => {
      const response = await fetch(`${pipeline.apiUrl}/health/ready`);
      expect(await response.json()).toMatchObject({ status: 'ok' });
    }, 30_000);
  }, 240_000);

  it('fails liveness once no consumer came back within the deadline, and stops within the grace without an error line', async () => {
    await broker.startAgain();
    const graceMs = 3_000;
    const env = pipelineEnv('kafka-outage-stop', {
      KAFKA_BROKERS: broker.url,
      HOOKLINE_SHUTDOWN_GRACE: `${graceMs}ms`,
      HOOKLINE_KAFKA_RECOVERY_DEADLINE: '3s',
      HOOKLINE_LOG_LEVEL: 'info',
    });
    // One of each consumer transport: in-flight records (delivery) and due-time tiers (retry).
    const services = await Promise.all((['delivery', 'retry'] as const).map((service) => startServiceProcess(service, env)));
    await Promise.all(services.map((service) => waitReady(service, 60_000)));
    await broker.kill();
    await eventually(async () => {
      for (const service of services) expect(await readiness(service)).toMatchObject({ status: 'unavailable' });
    }, 20_000);
    await eventually(async () => {
      for (const service of services) {
        const response = await fetch(`http://127.0.0.1:${service.healthPort}/health/live`);
        expect(response.status).toBe(503);
        expect(await response.json()).toMatchObject({ status: 'unavailable', checks: { consumer: expect.stringContaining('HOOKLINE_KAFKA_RECOVERY_DEADLINE') } });
      }
    }, 40_000);

    const stopping = Date.now();
    const linesBefore = services.map((service) => service.output.length);
    for (const service of services) service.process.kill('SIGTERM');
    const exits = await Promise.all(services.map((service) => service.exited));
    // The grace, plus the process's own start-to-exit overhead (Nest, the database pool).
    expect(Date.now() - stopping).toBeLessThan(graceMs + 6_000);
    // Nest re-raises the signal once it has closed the application.
    expect(exits).toEqual(services.map(() => ({ code: null, signal: 'SIGTERM' })));
    const afterSignal = services.flatMap((service, n) => service.output.slice(linesBefore[n]));
    const errors = afterSignal.filter((line) => /"level":"(error|fatal)"/.test(line) || /Error happened during shutdown/.test(line));
    expect(errors).toEqual([]);
    // Back for the pipeline of this file, which stops after this test.
    await broker.startAgain();
  }, 120_000);
});
