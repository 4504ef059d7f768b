import { loadConfig } from '@hookline/config';
import { AttemptRecorder, type AttemptRecord } from '../../src/attempts/attempt-recorder.js';
import type { AttemptRepository, FailingEndpoint, Promotion } from '../../src/attempts/attempt.repository.js';
import type { DisabledEndpoint } from '../../src/operational/operational-reporter.js';

// AttemptRecorder over a repository that keeps each batch in memory: what one batch writes, and
// what follows once it is committed, without PostgreSQL.

const DAY = 86_400_000;
const ENDPOINT_A = '00000000-0000-4000-8000-00000000000a';
const ENDPOINT_B = '00000000-0000-4000-8000-00000000000b';
const APP = '00000000-0000-4000-8000-000000000001';

type Batch = Parameters<AttemptRepository['writeBatch']>[0];

function recorder(failing: (batch: Batch) => FailingEndpoint[] = () => [], promotions: Promotion[] = []) {
  const config = loadConfig('delivery', {
    KAFKA_BROKERS: 'kafka.invalid:9092',
    DATABASE_URL: 'postgres://u@db.invalid/hookline',
    HOOKLINE_SECRETS_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
    HOOKLINE_ENDPOINT_DISABLE_AFTER: '5d',
  });
  /** What happened, in order: each committed batch, then each disable. */
  const events: Array<{ batch: Batch } | { disabled: DisabledEndpoint[]; reason: string }> = [];
  const repository = {
    writeBatch: async (batch: Batch) => {
      events.push({ batch });
      return { failing: failing(batch), promotions };
    },
    markDead: async () => [],
    lastAttempt: async () => null,
  };
  const disabler = { disable: async (disabled: DisabledEndpoint[], reason: string) => void events.push({ disabled, reason }) };
  return { subject: new AttemptRecorder(repository, config, disabler), events };
}

let nextId = 0;
function record(fields: { messageId?: string; endpointId?: string; attemptNumber: number; succeeded: boolean; at: number; status: AttemptRecord['status'] }): AttemptRecord {
  return {
    attempt: {
      id: `00000000-0000-4000-9000-${String(++nextId).padStart(12, '0')}`,
      messageId: fields.messageId ?? '00000000-0000-4000-8000-0000000000f1',
      endpointId: fields.endpointId ?? ENDPOINT_A,
      applicationId: APP,
      attemptNumber: fields.attemptNumber,
      url: 'https://receiver.example/hook',
      succeeded: fields.succeeded,
      responseStatusCode: fields.succeeded ? 200 : 500,
      responseDurationMs: 10,
      responseExcerpt: '',
      error: null,
      trigger: 'scheduled',
      createdAt: new Date(fields.at),
      traceId: null,
    },
    status: fields.status,
    nextAttemptAt: fields.status === 'failed' ? new Date(fields.at + 1_000) : null,
  };
}

describe('AttemptRecorder', () => {
  it('writes every attempt of a batch but one status per pair: the latest attempt wins, whatever the order', async () => {
    const { subject, events } = recorder();
    const t0 = Date.parse('2026-03-01T12:00:00Z');
    const second = record({ attemptNumber: 2, succeeded: true, at: t0 + 1_000, status: 'succeeded' });
    const first = record({ attemptNumber: 1, succeeded: false, at: t0, status: 'failed' });
    const other = record({ messageId: '00000000-0000-4000-8000-0000000000f2', attemptNumber: 1, succeeded: false, at: t0, status: 'failed' });
    await Promise.all([subject.record(second), subject.record(first), subject.record(other)]);

    expect(events).toHaveLength(1);
    const { batch } = events[0] as { batch: Batch };
    expect(batch.attempts.map((attempt) => attempt.id)).toEqual([second.attempt.id, first.attempt.id, other.attempt.id]);
    expect(batch.statuses).toEqual([
      { messageId: first.attempt.messageId, endpointId: ENDPOINT_A, applicationId: APP, status: 'succeeded', attemptCount: 2, lastAttemptAt: new Date(t0 + 1_000), nextAttemptAt: null },
      { messageId: other.attempt.messageId, endpointId: ENDPOINT_A, applicationId: APP, status: 'failed', attemptCount: 1, lastAttemptAt: new Date(t0), nextAttemptAt: new Date(t0 + 1_000) },
    ]);
    // The endpoint's latest attempt (the success) decides whether it is failing.
    expect(batch.outcomes).toEqual([{ endpointId: ENDPOINT_A, succeeded: true, at: new Date(t0 + 1_000) }]);
  });

  it('disables, after the batch is committed, the endpoints failing for longer than the limit, and only those', async () => {
    const now = Date.now();
    const { subject, events } = recorder(() => [
      { id: ENDPOINT_A, applicationId: APP, uid: 'billing', failingSince: new Date(now - 6 * DAY), disabled: false },
      { id: ENDPOINT_B, applicationId: APP, uid: null, failingSince: new Date(now - DAY), disabled: false },
      { id: '00000000-0000-4000-8000-00000000000c', applicationId: APP, uid: null, failingSince: new Date(now - 9 * DAY), disabled: true },
    ]);
    await Promise.all([
      subject.record(record({ endpointId: ENDPOINT_A, attemptNumber: 4, succeeded: false, at: now, status: 'failed' })),
      subject.record(record({ endpointId: ENDPOINT_B, attemptNumber: 2, succeeded: false, at: now, status: 'failed' })),
    ]);

    expect(events).toEqual([
      { batch: expect.anything() },
      {
        disabled: [{ id: ENDPOINT_A, applicationId: APP, uid: 'billing', failingSince: new Date(now - 6 * DAY), occurrence: `failing since ${new Date(now - 6 * DAY).toISOString()}` }],
        reason: 'the endpoint failed every attempt for 120 h',
      },
    ]);
  });

  it('disables nothing when no endpoint has failed for that long', async () => {
    const { subject, events } = recorder(() => [{ id: ENDPOINT_A, applicationId: APP, uid: null, failingSince: new Date(), disabled: false }]);
    await subject.record(record({ attemptNumber: 1, succeeded: false, at: Date.now(), status: 'failed' }));
    expect(events).toEqual([{ batch: expect.anything() }]);
  });

  it('rejects every record of a batch whose write failed, and disables nothing', async () => {
    const { subject, events } = recorder(() => {
      throw new Error('connection lost');
    });
    const results = await Promise.allSettled([
      subject.record(record({ attemptNumber: 1, succeeded: false, at: Date.now(), status: 'failed' })),
      subject.record(record({ endpointId: ENDPOINT_B, attemptNumber: 1, succeeded: false, at: Date.now(), status: 'failed' })),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(events).toHaveLength(1);
  });

  it("hands an ordered attempt's lease to the batch, and answers each ordered record the parked heads of its own key", async () => {
    const promoted = { endpointId: ENDPOINT_A, orderingKey: 'k1', messageId: '00000000-0000-4000-8000-0000000000f9' };
    const { subject, events } = recorder(() => [], [promoted, { endpointId: ENDPOINT_B, orderingKey: 'k1', messageId: '00000000-0000-4000-8000-0000000000f8' }]);
    const ordered = { ...record({ attemptNumber: 1, succeeded: true, at: 1, status: 'succeeded' }), lease: { orderingKey: 'k1', token: '00000000-0000-4000-8000-0000000000c1' } };
    const plain = record({ messageId: '00000000-0000-4000-8000-0000000000f2', attemptNumber: 1, succeeded: true, at: 1, status: 'succeeded' });
    expect(await Promise.all([subject.record(ordered), subject.record(plain)])).toEqual([[promoted], []]);
    expect(events).toEqual([{ batch: expect.objectContaining({ ordered: [{ endpointId: ENDPOINT_A, orderingKey: 'k1', leaseToken: '00000000-0000-4000-8000-0000000000c1' }] }) }]);
  });
});
