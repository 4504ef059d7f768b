import { retryTiers } from '@hookline/contracts';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { eventually } from '../support/env.js';
import { settled, usePipeline } from '../support/pipeline.js';
import { type ReceivedRequest, useReceiver } from '../support/receiver.js';
import { killServiceProcesses, startServiceProcess, waitReady } from '../support/service-process.js';

/**
 * The retry service killed with SIGKILL (no shutdown hook, no commit, its pause timers gone)
 * while tasks wait in a tier, then started again: every task is still delivered, none early.
 * Ingest, fanout and delivery run in this process; retry runs as the real built service.
 */

// Long enough that 20 first attempts and their tier records are done well before any is due, on a busy machine.
const DELAY_MS = 10_000;
const JITTER = 0.2;
const EARLIEST_MS = DELAY_MS * (1 - JITTER);
const MESSAGES = 20;
// A task's due time runs from when delivery began the attempt, a moment before the receiver saw it.
const CLOCK_SLACK_MS = 50;

describe('the retry service killed with SIGKILL while tasks wait in a tier', () => {
  const ctx = usePipeline('retry-crash', {
    env: {
      HOOKLINE_RETRY_SCHEDULE: `${DELAY_MS}ms,${DELAY_MS}ms`,
      HOOKLINE_RETRY_JITTER: String(JITTER),
      HOOKLINE_DEAD_LETTER_AFTER: '1h',
      // Every first attempt fails on purpose: the breaker must not hold the retries back.
      HOOKLINE_CIRCUIT_BREAKER_THRESHOLD: '1000',
    },
    inProcess: ['ingest', 'fanout', 'delivery'],
    eventType: { prefix: 'order.crashed', description: 'An order whose first delivery fails' },
  });
  const receiver = useReceiver();
  let admin: Admin;
  let tierTopic: string;

  beforeAll(async () => {
    [tierTopic] = retryTiers(ctx.pipeline.env.HOOKLINE_TOPIC_PREFIX!, [DELAY_MS]).map((tier) => tier.topic);
    admin = new Kafka({ clientId: 'retry-crash-test', brokers: ctx.pipeline.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await killServiceProcesses();
    await admin?.disconnect();
  });

  it('delivers every waiting task once it is started again: none lost, none early', async () => {
    const { pipeline, svix, eventType } = ctx;
    const testStart = Date.now();
    const first = await startServiceProcess('retry', pipeline.env);
    const firstReadyMs = await waitReady(first, 30_000);

    // Each message's first request fails, every later one succeeds.
    const failed = new Set<string>();
    receiver.respond = (request) => {
      const id = String(request.headers['webhook-id']);
      if (request.path !== '/crash' || failed.has(id)) return { status: 200 };
      failed.add(id);
      return { status: 500 };
    };
    const app = await svix.application.create({ name: 'Receiver behind a crashing retry service' });
    await svix.endpoint.create(app.id, { url: receiver.url('/crash') });
    const sentAt = Date.now();
    const ids = (
      await Promise.all(Array.from({ length: MESSAGES }, (_, n) => svix.message.create(app.id, { eventType, payload: { order: n } })))
    ).map((message) => message.id);

    const byId = () => {
      const map = new Map<string, ReceivedRequest[]>();
      for (const request of receiver.on('/crash')) {
        const id = String(request.headers['webhook-id']);
        map.set(id, [...(map.get(id) ?? []), request]);
      }
      return map;
    };

    // Every first attempt has failed and its task is acknowledged in the tier topic.
    await eventually(() => expect([...byId().keys()].sort()).toEqual([...ids].sort()), 15_000);
    await eventually(async () => {
      const offsets = await admin.fetchTopicOffsets(tierTopic);
      expect(offsets.reduce((sum, partition) => sum + Number(partition.high), 0)).toBe(MESSAGES);
    }, 10_000);

    const firstAt = new Map([...byId()].map(([id, requests]) => [id, requests[0]!.at]));
    const earliestDue = Math.min(...firstAt.values()) + EARLIEST_MS - CLOCK_SLACK_MS;
    const killAt = Date.now();
    first.process.kill('SIGKILL');
    const retriedBeforeKill = [...byId()].filter(([, requests]) => requests.length > 1).map(([id]) => id);
    // The crash must come while every task still waits: none could be due yet, none retried yet.
    expect({ retriedBeforeKill, killedBeforeEarliestDue: killAt < earliestDue }).toEqual({ retriedBeforeKill: [], killedBeforeEarliestDue: true });
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    await new Promise((resolve) => setTimeout(resolve, 500));
    const second = await startServiceProcess('retry', pipeline.env);
    // The new member joins only once the group has expired the killed one (the session timeout).
    const secondReadyMs = await waitReady(second, 45_000);

    await eventually(() => expect([...byId()].filter(([, requests]) => requests.length < 2).map(([id]) => id)).toEqual([]), 20_000);
    // Any duplicate has shown up once the pipeline has handled everything.
    await settled(ctx.pipeline);

    const received = byId();
    const retried = [...received].filter(([, requests]) => requests.length >= 2).map(([id]) => id);
    const early = [...received]
      .filter(([, requests]) => requests.length >= 2 && requests[1]!.at - requests[0]!.at < EARLIEST_MS - CLOCK_SLACK_MS)
      .map(([id, requests]) => ({ id, waitedMs: requests[1]!.at - requests[0]!.at }));
    // At-least-once allows a third request for an id; it is reported, not failed on.
    const duplicates = [...received].filter(([, requests]) => requests.length > 2).map(([id, requests]) => ({ id, requests: requests.length }));
    const waits = [...received].map(([, requests]) => requests[1]!.at - requests[0]!.at);
    const summary = {
      firstReadyMs,
      sendToKillMs: killAt - sentAt,
      killBeforeEarliestDueMs: earliestDue - killAt,
      secondReadyAfterKillMs: secondReadyMs + 500,
      waitMs: { min: Math.min(...waits), max: Math.max(...waits) },
      duplicates,
      totalMs: Date.now() - testStart,
    };
    console.info(`retry crash: ${JSON.stringify(summary)}`);

    expect({ unknownIds: [...received.keys()].filter((id) => !ids.includes(id)), early, duplicates }).toEqual({ unknownIds: [], early: [], duplicates });
    expect({ retried: retried.sort(), duplicates }).toEqual({ retried: [...ids].sort(), duplicates });
    // Each task was read again by the new consumer at most once more than needed.
    expect(duplicates.reduce((sum, { requests }) => sum + requests - 2, 0)).toBeLessThanOrEqual(MESSAGES);
  }, 90_000);
});
