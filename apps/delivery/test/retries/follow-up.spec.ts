import { loadConfig } from '@hookline/config';
import { RETRY_HEADERS, topicsFor } from '@hookline/contracts';
import type { DeliveryOutcome } from '@hookline/egress';
import type { OutgoingMessage } from '@hookline/kafka';
import { createLogger } from '@hookline/logging';
import type { DisabledEndpoint } from '../../src/operational/operational-reporter.js';
import { FollowUp } from '../../src/retries/follow-up.js';
import { deliveryTaskOf } from '../tasks.js';

// FollowUp with a producer and a disabler that only remember what they were asked: which topic a
// failed or postponed task goes to, and with what, decided without Kafka or PostgreSQL.

const HOUR = 3_600_000;
const attemptedAt = new Date('2026-03-01T12:00:00Z');

function followUp() {
  const config = loadConfig('delivery', {
    KAFKA_BROKERS: 'kafka.invalid:9092',
    DATABASE_URL: 'postgres://u@db.invalid/hookline',
    HOOKLINE_SECRETS_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
    HOOKLINE_TOPIC_PREFIX: 't',
    HOOKLINE_RETRY_SCHEDULE: '1s,1m',
    HOOKLINE_RETRY_JITTER: '0',
    HOOKLINE_DEAD_LETTER_AFTER: '1h',
  });
  const sent: Array<{ topic: string; messages: OutgoingMessage[] }> = [];
  const disabled: Array<{ endpoints: DisabledEndpoint[]; reason: string }> = [];
  const subject = new FollowUp(
    config,
    topicsFor('t'),
    { send: async (topic, messages) => void sent.push({ topic, messages }) },
    { disable: async (endpoints, reason) => void disabled.push({ endpoints, reason }) },
    createLogger('test', 'silent'),
  );
  return { subject, sent, disabled };
}

const task = deliveryTaskOf;

const failure = (statusCode: number | null, fields: Partial<DeliveryOutcome> = {}): DeliveryOutcome => ({
  ok: false,
  statusCode,
  durationMs: 12,
  responseExcerpt: 'nope',
  error: null,
  retryAfterMs: null,
  ...fields,
});

/** The endpoint attempted, as delivery last read it. */
const endpoint = { uid: 'billing', failingSince: null, updatedAt: new Date('2026-03-01T10:00:00Z') };

const valueOf = (message: OutgoingMessage) => JSON.parse(String(message.value)) as Record<string, unknown>;

describe('FollowUp after a failed attempt', () => {
  it('sends the next attempt to the tier of its scheduled delay, keyed by endpoint, due then', async () => {
    const { subject, sent } = followUp();
    const result = await subject.afterFailure(task(), failure(500), attemptedAt, endpoint);

    const dueAt = new Date(attemptedAt.getTime() + 1_000);
    expect(result).toEqual({ status: 'failed', nextAttemptAt: dueAt, lastError: 'HTTP 500: nope', gone: false });
    expect(sent.map((send) => send.topic)).toEqual(['t.retry.1s']);
    const [message] = sent[0]!.messages;
    expect(message!.key).toBe(task().endpointId);
    expect(valueOf(message!)).toMatchObject({ attempt: 2, firstAttemptAt: attemptedAt.toISOString() });
    expect(message!.headers).toEqual({
      [RETRY_HEADERS.attempt]: '2',
      [RETRY_HEADERS.firstAttemptAt]: attemptedAt.toISOString(),
      [RETRY_HEADERS.dueAt]: dueAt.toISOString(),
      [RETRY_HEADERS.lastError]: 'HTTP 500: nope',
    });

    await subject.afterFailure(task({ attempt: 2, firstAttemptAt: attemptedAt.toISOString() }), failure(503), new Date(attemptedAt.getTime() + 1_000), endpoint);
    expect(sent[1]!.topic).toBe('t.retry.1m');
  });

  it('dead-letters a task whose next attempt would fall past the window, with its history', async () => {
    const { subject, sent } = followUp();
    const firstAttemptAt = new Date(attemptedAt.getTime() - HOUR + 500).toISOString();
    const result = await subject.afterFailure(task({ attempt: 1, firstAttemptAt }), failure(null, { error: 'connect ECONNREFUSED' }), attemptedAt, endpoint);

    expect(result).toEqual({ status: 'dead', nextAttemptAt: null, lastError: 'connect ECONNREFUSED', gone: false });
    expect(sent.map((send) => send.topic)).toEqual(['t.dead']);
    expect(valueOf(sent[0]!.messages[0]!)).toEqual({
      task: task({ attempt: 1, firstAttemptAt }),
      deadAt: attemptedAt.toISOString(),
      lastError: 'connect ECONNREFUSED',
    });
  });

  it('dead-letters a task that used every retry of the schedule', async () => {
    const { subject, sent } = followUp();
    const result = await subject.afterFailure(task({ attempt: 3, firstAttemptAt: attemptedAt.toISOString() }), failure(500), attemptedAt, endpoint);
    expect(result.status).toBe('dead');
    expect(sent.map((send) => send.topic)).toEqual(['t.dead']);
  });

  it('disables an endpoint that answered 410 Gone, and neither retries nor dead-letters the task', async () => {
    const { subject, sent, disabled } = followUp();
    const result = await subject.afterFailure(task(), failure(410), attemptedAt, endpoint);

    expect(result).toEqual({ status: 'failed', nextAttemptAt: null, lastError: 'HTTP 410: nope', gone: true });
    expect(disabled).toEqual([
      {
        endpoints: [{ id: task().endpointId, applicationId: task().applicationId, uid: 'billing', failingSince: null, occurrence: 'gone after its change at 2026-03-01T10:00:00.000Z' }],
        reason: 'the endpoint answered 410 Gone',
      },
    ]);
    expect(sent).toEqual([]);
  });
});

describe('FollowUp postponing a task it may not attempt yet', () => {
  it('postpones into the shortest tier that covers the wait, spending no attempt', async () => {
    const { subject, sent } = followUp();
    const firstAttemptAt = new Date(Date.now() - 60_000).toISOString();
    expect(await subject.defer(task({ attempt: 3, firstAttemptAt }), 5_000, 'circuit open')).toEqual({ kind: 'postponed' });

    expect(sent.map((send) => send.topic)).toEqual(['t.retry.1m']);
    const [message] = sent[0]!.messages;
    expect(valueOf(message!)).toMatchObject({ attempt: 3, firstAttemptAt });
    expect(message!.headers).toMatchObject({ [RETRY_HEADERS.attempt]: '3', [RETRY_HEADERS.deferred]: 'circuit open' });
  });

  it('starts the window of a task never attempted at its first postponement', async () => {
    const { subject, sent } = followUp();
    const before = Date.now();
    expect(await subject.defer(task(), 500, 'rate limit: 5/s')).toEqual({ kind: 'postponed' });
    expect(sent[0]!.topic).toBe('t.retry.1s');
    expect(Date.parse(valueOf(sent[0]!.messages[0]!).firstAttemptAt as string)).toBeGreaterThanOrEqual(before);
  });

  it('dead-letters instead once the postponement would fall past the window', async () => {
    const { subject, sent } = followUp();
    const firstAttemptAt = new Date(Date.now() - HOUR + 1_000).toISOString();
    expect(await subject.defer(task({ attempt: 2, firstAttemptAt }), 5_000, 'circuit open')).toEqual({ kind: 'dead', lastError: expect.stringMatching(/^circuit open; postponed past/) });

    expect(sent.map((send) => send.topic)).toEqual(['t.dead']);
    expect(valueOf(sent[0]!.messages[0]!)).toMatchObject({ task: { attempt: 2, firstAttemptAt }, lastError: expect.stringMatching(/^circuit open; postponed past/) });
  });

  it('postpones past the window when told to: an attempt of the same message in flight decides its fate', async () => {
    const { subject, sent } = followUp();
    const firstAttemptAt = new Date(Date.now() - HOUR + 1_000).toISOString();
    expect(await subject.defer(task({ attempt: 2, firstAttemptAt }), 5_000, 'ordered: busy', 'postpone')).toEqual({ kind: 'postponed' });
    expect(sent.map((send) => send.topic)).toEqual(['t.retry.1m']);
    expect(valueOf(sent[0]!.messages[0]!)).toMatchObject({ attempt: 2, firstAttemptAt });
  });

  it('starts no window for a task that waits on an attempt of its message in flight', async () => {
    const { subject, sent } = followUp();
    expect(await subject.defer(task({ attempt: 1, firstAttemptAt: null }), 5_000, 'ordered: busy', 'postpone')).toEqual({ kind: 'postponed' });
    const [message] = sent[0]!.messages;
    // Its window starts with its own first attempt, not now: otherwise the wait is taken off it.
    expect(valueOf(message!)).toMatchObject({ attempt: 1, firstAttemptAt: null });
    expect(message!.headers).not.toHaveProperty(RETRY_HEADERS.firstAttemptAt);
  });
});
