import type { DeliveryTask } from '@hookline/contracts';
import type { Endpoint } from '@hookline/database';
import type { DeliveryOutcome, EgressClient } from '@hookline/egress';
import { createLogger } from '@hookline/logging';
import { createSecretKey } from 'node:crypto';
import type { AttemptRecord, AttemptRecorder } from '../../src/attempts/attempt-recorder.js';
import type { RecordedAttempt, TaskAttempt } from '../../src/attempts/attempt.repository.js';
import type { EarlierAttempts } from '../../src/attempts/earlier-attempts.js';
import { AttemptService } from '../../src/attempts/attempt.service.js';
import type { EndpointCache } from '../../src/endpoints/endpoint-cache.js';
import { EndpointGuard } from '../../src/endpoints/endpoint-guard.js';
import type { OperationalReporter } from '../../src/operational/operational-reporter.js';
import type { OrderedDelivery } from '../../src/ordering/ordered-delivery.js';
import type { FinalOutcome, OutcomeReporter } from '../../src/outcomes/outcome-reporter.js';
import type { FailureResult, FollowUp } from '../../src/retries/follow-up.js';
import { deliveryTaskOf } from '../tasks.js';

// AttemptService with fakes at its boundaries (HTTP, the recorder, Kafka's follow-ups and
// reports): what it does when the consumer runs a task again after its attempt could not be
// recorded. Through the real database and HTTP: test/integration/delivery.int.spec.ts.

const endpoint = {
  id: deliveryTaskOf().endpointId,
  url: 'https://receiver.example/hook',
  headers: {},
  rateLimit: null,
  updatedAt: new Date('2026-03-01T10:00:00Z'),
  disabled: false,
  verificationRequired: false,
} as unknown as Endpoint;

function attemptService(answer: DeliveryOutcome, answered: () => Promise<void> = async () => undefined) {
  const posts: string[] = [];
  const records: AttemptRecord[] = [];
  const followUps: DeliveryTask[] = [];
  const outcomes: string[] = [];
  const finals: FinalOutcome[] = [];
  /** The attempts the fake database holds (its answer to a repeat's lookup), and what was looked for in it. */
  const earlierAttempts: RecordedAttempt[] = [];
  const lookups: TaskAttempt[] = [];
  let recordFailures = 0;
  const endpoints = { current: endpoint };
  const subject = new AttemptService(
    { get: async () => ({ endpoint: endpoints.current, secrets: [createSecretKey(Buffer.alloc(32))] }) } as unknown as EndpointCache,
    {
      post: async ({ url }: { url: string }) => {
        posts.push(url);
        await answered();
        return answer;
      },
    } as unknown as EgressClient,
    {
      record: async (record: AttemptRecord) => {
        records.push(record);
        if (recordFailures > 0) {
          recordFailures--;
          throw new Error('Connection terminated unexpectedly');
        }
        earlierAttempts.push(recordedAttempt(record.attempt, { ended: record.status === 'dead' ? 'dead' : record.status === 'failed' && record.nextAttemptAt === null ? 'gone' : null }));
        return [];
      },
    } as unknown as AttemptRecorder,
    {
      of: async (wanted: TaskAttempt) => {
        lookups.push(wanted);
        const made = earlierAttempts.filter((made) => made.messageId === wanted.messageId && made.endpointId === wanted.endpointId && made.attemptNumber === wanted.attemptNumber);
        return made.find((attempt) => attempt.succeeded) ?? made[0] ?? null;
      },
    } as unknown as EarlierAttempts,
    {
      afterFailure: async (task: DeliveryTask): Promise<FailureResult> => {
        followUps.push(task);
        return { status: 'failed', nextAttemptAt: new Date('2026-03-01T12:01:00Z'), lastError: 'HTTP 500', gone: false };
      },
    } as unknown as FollowUp,
    new EndpointGuard({ threshold: 100, cooldownMs: 10_000, maxInlineWaitMs: 500 }),
    {
      promote: async () => undefined,
      inTurn: (_task: DeliveryTask, work: () => Promise<unknown>) => work(),
      claim: async () => ({ decision: 'go', token: 'lease-1', position: '7' }),
    } as unknown as OrderedDelivery,
    {
      report: async (_task: DeliveryTask, final: FinalOutcome) => {
        outcomes.push(final.outcome);
        finals.push(final);
      },
    } as unknown as OutcomeReporter,
    { attempted: async () => undefined } as unknown as OperationalReporter,
    createLogger('test', 'silent'),
  );
  return { subject, posts, records, followUps, outcomes, finals, earlierAttempts, lookups, endpoints, failNextRecords: (count: number) => (recordFailures = count) };
}

/** An attempt as the lookup of a repeat finds it recorded. */
const recordedAttempt = (
  attempt: Pick<TaskAttempt, 'messageId' | 'endpointId' | 'attemptNumber'> & { succeeded: boolean; responseStatusCode: number | null; createdAt: Date; error?: string | null; responseExcerpt?: string | null },
  fields: Partial<RecordedAttempt> = {},
): RecordedAttempt => ({
  messageId: attempt.messageId,
  endpointId: attempt.endpointId,
  attemptNumber: attempt.attemptNumber,
  succeeded: attempt.succeeded,
  statusCode: attempt.responseStatusCode,
  error: attempt.error ?? null,
  responseExcerpt: attempt.responseExcerpt ?? '',
  answeredAt: attempt.createdAt,
  ended: null,
  ...fields,
});

const answered = (statusCode: number): DeliveryOutcome => ({ ok: statusCode < 300, statusCode, durationMs: 5, responseExcerpt: '', error: null, retryAfterMs: null });

describe('AttemptService, when a task runs again because its attempt was not recorded', () => {
  it('records the request it made, with the same attempt, instead of making it again', async () => {
    const { subject, posts, records, outcomes, failNextRecords } = attemptService(answered(204));
    const task = deliveryTaskOf();
    failNextRecords(2);

    await expect(subject.attempt(task)).rejects.toThrow('Connection terminated');
    await expect(subject.attempt(task)).rejects.toThrow('Connection terminated');
    await subject.attempt(task);

    expect(posts).toHaveLength(1);
    expect(records).toHaveLength(3);
    expect(new Set(records.map((record) => record.attempt.id)).size).toBe(1);
    expect(new Set(records.map((record) => record.attempt.createdAt.getTime())).size).toBe(1);
    expect(records[2]).toMatchObject({ status: 'succeeded', attempt: { succeeded: true, responseStatusCode: 204 } });
    expect(outcomes).toEqual(['delivered']);
  });

  it('hands a failure to its retry tier once, not again with each run', async () => {
    const { subject, posts, records, followUps, failNextRecords } = attemptService(answered(500));
    const task = deliveryTaskOf();
    failNextRecords(1);

    await expect(subject.attempt(task)).rejects.toThrow('Connection terminated');
    await subject.attempt(task);

    expect(posts).toHaveLength(1);
    expect(followUps).toHaveLength(1);
    expect(records.map((record) => record.status)).toEqual(['failed', 'failed']);
  });

  it('has a reading of the task that comes while an earlier one is under way wait for it, and go on from where it failed', async () => {
    let answer!: () => void;
    const { subject, posts, records, followUps, failNextRecords } = attemptService(answered(500), () => new Promise<void>((resolve) => (answer = resolve)));
    const task = deliveryTaskOf();
    failNextRecords(1);

    // The next consumer generation reads the record (the same task object) while the request is in flight.
    const first = subject.attempt(task);
    await new Promise((resolve) => setImmediate(resolve));
    const second = subject.attempt(task, undefined, true);
    answer();

    await expect(first).rejects.toThrow('Connection terminated');
    await second;
    expect(posts).toHaveLength(1);
    expect(followUps).toHaveLength(1);
    expect(records.map((record) => record.status)).toEqual(['failed', 'failed']);
  });

  it('has such a reading do nothing more once the earlier one succeeded', async () => {
    let answer!: () => void;
    const { subject, posts, records, outcomes } = attemptService(answered(204), () => new Promise<void>((resolve) => (answer = resolve)));
    const task = deliveryTaskOf();

    const first = subject.attempt(task);
    await new Promise((resolve) => setImmediate(resolve));
    const second = subject.attempt(task, undefined, true);
    answer();

    await Promise.all([first, second]);
    expect(posts).toHaveLength(1);
    expect(records).toHaveLength(1);
    expect(outcomes).toEqual(['delivered']);
  });

  it('records it to the endpoint as it was requested, even if the endpoint was disabled or moved since', async () => {
    const { subject, posts, records, outcomes, endpoints, failNextRecords } = attemptService(answered(410));
    const task = deliveryTaskOf();
    failNextRecords(1);

    await expect(subject.attempt(task)).rejects.toThrow('Connection terminated');
    endpoints.current = { ...endpoint, disabled: true, url: 'https://elsewhere.example/hook' } as Endpoint;
    await subject.attempt(task);

    expect(posts).toHaveLength(1);
    expect(records.map((record) => record.attempt.url)).toEqual([endpoint.url, endpoint.url]);
    expect(outcomes).toEqual([]);
  });

  it('makes the request again for a task read again from Kafka (another object: the partition moved)', async () => {
    const { subject, posts, failNextRecords } = attemptService(answered(204));
    failNextRecords(1);

    await expect(subject.attempt(deliveryTaskOf())).rejects.toThrow('Connection terminated');
    await subject.attempt(deliveryTaskOf());

    expect(posts).toHaveLength(2);
  });

  it('forgets a task once it is recorded: running it again is a new request', async () => {
    const { subject, posts } = attemptService(answered(204));
    const task = deliveryTaskOf();

    await subject.attempt(task);
    await subject.attempt(task);

    expect(posts).toHaveLength(2);
  });
});

describe('AttemptService, for a task read again after a rebalance or crash (redelivered)', () => {
  const answeredAt = new Date('2026-03-01T12:00:00.120Z');

  it('makes no request when the attempt already succeeded, and writes its outcome record again from what was recorded', async () => {
    const { subject, posts, records, finals, earlierAttempts, lookups } = attemptService(answered(204));
    const task = deliveryTaskOf({ attempt: 2 });
    earlierAttempts.push(recordedAttempt({ messageId: task.messageId, endpointId: task.endpointId, attemptNumber: 2, succeeded: true, responseStatusCode: 202, createdAt: answeredAt }));

    await subject.attempt(task, undefined, true);

    expect(lookups).toEqual([{ messageId: task.messageId, endpointId: task.endpointId, attemptNumber: 2 }]);
    expect(posts).toEqual([]);
    expect(records).toEqual([]);
    expect(finals).toEqual([{ outcome: 'delivered', attempts: 2, statusCode: 202, deliveredAt: answeredAt }]);
  });

  it('makes the request when only another attempt of the pair succeeded, or none did', async () => {
    const { subject, posts, earlierAttempts } = attemptService(answered(204));
    const task = deliveryTaskOf({ attempt: 3 });
    earlierAttempts.push(recordedAttempt({ messageId: task.messageId, endpointId: task.endpointId, attemptNumber: 2, succeeded: true, responseStatusCode: 200, createdAt: answeredAt }));

    await subject.attempt(task, undefined, true);
    await subject.attempt(deliveryTaskOf(), undefined, true);

    expect(posts).toHaveLength(2);
  });

  it('lets a task and its repeat read at once take turns, so that the later one finds the first one delivered', async () => {
    const { subject, posts, finals } = attemptService(answered(204));

    await Promise.all([subject.attempt(deliveryTaskOf(), undefined, true), subject.attempt(deliveryTaskOf(), undefined, true)]);

    expect(posts).toHaveLength(1);
    expect(finals.map((final) => final.outcome)).toEqual(['delivered', 'delivered']);
  });

  it('makes no request, and hands nothing on, when the attempt already failed: its follow-up left before it was recorded', async () => {
    const { subject, posts, records, followUps, finals, earlierAttempts } = attemptService(answered(204));
    const task = deliveryTaskOf({ attempt: 2 });
    earlierAttempts.push(recordedAttempt({ messageId: task.messageId, endpointId: task.endpointId, attemptNumber: 2, succeeded: false, responseStatusCode: 503, createdAt: answeredAt }));

    await subject.attempt(task, undefined, true);

    expect(posts).toEqual([]);
    expect(records).toEqual([]);
    expect(followUps).toEqual([]);
    expect(finals).toEqual([]);
  });

  it('writes the dead outcome record again when that failure ended its pair dead', async () => {
    const { subject, posts, finals, earlierAttempts } = attemptService(answered(204));
    const task = deliveryTaskOf({ attempt: 6 });
    earlierAttempts.push(
      recordedAttempt({ messageId: task.messageId, endpointId: task.endpointId, attemptNumber: 6, succeeded: false, responseStatusCode: 502, responseExcerpt: 'bad gateway', createdAt: answeredAt }, { ended: 'dead' }),
    );

    await subject.attempt(task, undefined, true);

    expect(posts).toEqual([]);
    expect(finals).toEqual([{ outcome: 'dead', attempts: 6, lastError: 'HTTP 502: bad gateway' }]);
  });

  it('writes the discarded outcome record again when that failure was a 410 Gone', async () => {
    const { subject, posts, finals, earlierAttempts } = attemptService(answered(204));
    const task = deliveryTaskOf({ attempt: 3 });
    earlierAttempts.push(recordedAttempt({ messageId: task.messageId, endpointId: task.endpointId, attemptNumber: 3, succeeded: false, responseStatusCode: 410, createdAt: answeredAt }, { ended: 'gone' }));

    await subject.attempt(task, undefined, true);

    expect(posts).toEqual([]);
    expect(finals).toEqual([{ outcome: 'discarded', attempts: 3, reason: 'endpoint-gone' }]);
  });

  it('lets a task and its copy, both looked up, take turns: after the first one failed, the copy starts no second chain', async () => {
    const { subject, posts, followUps } = attemptService(answered(500));

    await Promise.all([subject.attempt(deliveryTaskOf(), undefined, true), subject.attempt(deliveryTaskOf(), undefined, true)]);

    expect(posts).toHaveLength(1);
    expect(followUps).toHaveLength(1);
  });

  it("does not look for an earlier success of a task read for the first time, of an operator's resend, or of an ordered task", async () => {
    const { subject, posts, lookups, earlierAttempts } = attemptService(answered(204));
    const task = deliveryTaskOf();
    earlierAttempts.push(recordedAttempt({ messageId: task.messageId, endpointId: task.endpointId, attemptNumber: 1, succeeded: true, responseStatusCode: 200, createdAt: answeredAt }));

    await subject.attempt(task);
    // A resend is attempt 1 again, of a pair whose attempt 1 may well have succeeded: it is sent.
    await subject.attempt({ ...task, trigger: 'manual' }, undefined, true);
    // An ordered task's claim finds its message done instead (docs/adr/0012).
    await subject.attempt({ ...task, orderingKey: 'customer-1' }, undefined, true);

    expect(lookups).toEqual([]);
    expect(posts).toHaveLength(3);
  });
});

describe('AttemptService, when the consumer generation that read a task ends', () => {
  it('makes no request for a task still waiting for a slot of its endpoint: it will be read again', async () => {
    let answerAll!: () => void;
    const answers = new Promise<void>((resolve) => (answerAll = resolve));
    const { subject, posts } = attemptService(answered(204), () => answers);
    // Four requests to the endpoint at once (four messages) hold all its slots; the fifth task waits for one.
    const messageId = (n: number) => `00000000-0000-4000-8000-00000000010${n}`;
    const running = Array.from({ length: 4 }, (_, n) => subject.attempt(deliveryTaskOf({ messageId: messageId(n) })));
    const generation = new AbortController();
    const waiting = subject.attempt(deliveryTaskOf({ messageId: messageId(4) }), generation.signal);
    await new Promise((resolve) => setImmediate(resolve));
    expect(posts).toHaveLength(4);

    generation.abort(new Error('generation over'));
    answerAll();

    await expect(waiting).rejects.toThrow('generation over');
    await Promise.all(running);
    expect(posts).toHaveLength(4);
  });

  it('goes on with a request already made: it is recorded', async () => {
    let answer!: () => void;
    const { subject, posts, records } = attemptService(answered(204), () => new Promise<void>((resolve) => (answer = resolve)));
    const generation = new AbortController();
    const attempt = subject.attempt(deliveryTaskOf(), generation.signal);
    await new Promise((resolve) => setImmediate(resolve));

    generation.abort(new Error('generation over'));
    answer();

    await attempt;
    expect(posts).toHaveLength(1);
    expect(records).toHaveLength(1);
  });
});
