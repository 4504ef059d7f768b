import { dataSourceOptions } from '@hookline/database';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AttemptRepository, type AttemptRow, type StatusRow } from '../../apps/delivery/src/attempts/attempt.repository.js';
import { migrateTestDatabase, requireStack } from '../support/env.js';

// What delivery records of a batch of attempts, in one statement against the real database: the
// attempts, the status row of each pair, the endpoints' failing_since; and what it skips.

describe("a batch of attempts in PostgreSQL", () => {
  let dataSource: DataSource;
  let attempts: AttemptRepository;
  const applications: string[] = [];
  let applicationId: string;
  let endpointId: string;

  beforeAll(async () => {
    await migrateTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(requireStack().databaseUrl, { poolSize: 2 })).initialize();
    attempts = new AttemptRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource.query('DELETE FROM applications WHERE id = ANY($1::uuid[])', [applications]);
    await dataSource?.destroy();
  });

  beforeEach(async () => {
    applicationId = (await dataSource.query(`INSERT INTO applications (name) VALUES ('attempt records') RETURNING id`))[0].id;
    applications.push(applicationId);
    endpointId = (await dataSource.query(`INSERT INTO endpoints (application_id, url, secret_ciphertext, secret_key_id) VALUES ($1, 'https://example.com/hook', 'x', 'k1') RETURNING id`, [applicationId]))[0].id;
  });

  async function message(): Promise<string> {
    const id = uuidv7();
    await dataSource.query(`INSERT INTO messages (id, application_id, event_type, payload) VALUES ($1, $2, 'order.paid', '{}')`, [id, applicationId]);
    return id;
  }

  /** The attempt `number` of a pair, its status row and its endpoint outcome, as the recorder hands them over. */
  function attemptOf(messageId: string, number: number, succeeded: boolean, at = new Date()) {
    const attempt: AttemptRow = {
      id: uuidv7(),
      messageId,
      endpointId,
      applicationId,
      attemptNumber: number,
      url: 'https://example.com/hook',
      succeeded,
      responseStatusCode: succeeded ? 200 : 500,
      responseDurationMs: 3,
      responseExcerpt: succeeded ? 'ok' : 'upstream down',
      error: null,
      trigger: 'scheduled',
      createdAt: at,
      traceId: null,
    };
    const status: StatusRow = {
      messageId,
      endpointId,
      applicationId,
      status: succeeded ? 'succeeded' : 'failed',
      attemptCount: number,
      lastAttemptAt: at,
      nextAttemptAt: succeeded ? null : new Date(at.getTime() + 60_000),
    };
    return { attempt, status, outcome: { endpointId, succeeded, at } };
  }

  const write = (records: Array<ReturnType<typeof attemptOf>>) =>
    attempts.writeBatch({ attempts: records.map((r) => r.attempt), statuses: records.map((r) => r.status), outcomes: [records.at(-1)!.outcome], ordered: [] });
  const statusOf = async (messageId: string) =>
    (await dataSource.query('SELECT status, attempt_count, next_attempt_at FROM message_endpoints WHERE message_id = $1 AND endpoint_id = $2', [messageId, endpointId]))[0] as
      | { status: string; attempt_count: number; next_attempt_at: Date | null }
      | undefined;
  const attemptsOf = async (messageId: string) => Number((await dataSource.query('SELECT count(*) FROM attempts WHERE message_id = $1', [messageId]))[0].count);
  const failingSince = async () => (await dataSource.query('SELECT failing_since FROM endpoints WHERE id = $1', [endpointId]))[0].failing_since as Date | null;

  it('writes each attempt and its status, and skips the one whose message was deleted meanwhile without failing the others', async () => {
    const kept = await message();
    const deleted = await message();
    await dataSource.query('DELETE FROM messages WHERE id = $1', [deleted]);
    await write([attemptOf(deleted, 1, true), attemptOf(kept, 1, true)]);
    expect(await statusOf(kept)).toMatchObject({ status: 'succeeded', attempt_count: 1, next_attempt_at: null });
    expect(await attemptsOf(kept)).toBe(1);
    expect(await statusOf(deleted)).toBeUndefined();
    expect(await attemptsOf(deleted)).toBe(0);
  });

  it('takes an attempt written already as written: delivery records it again when the answer to its commit was lost', async () => {
    const id = await message();
    const failed = attemptOf(id, 1, false);
    await write([failed]);
    const retried = attemptOf(id, 2, true);
    await write([retried]);
    // The first attempt again, as delivery records it after an error that came after the commit.
    await write([failed, attemptOf(await message(), 1, true)]);
    expect(await attemptsOf(id)).toBe(2);
    expect(await statusOf(id)).toMatchObject({ status: 'succeeded', attempt_count: 2, next_attempt_at: null });
  });

  it('overwrites a failure with the later success, and never a success with a late failure', async () => {
    const id = await message();
    await write([attemptOf(id, 1, false)]);
    expect(await statusOf(id)).toMatchObject({ status: 'failed', attempt_count: 1, next_attempt_at: expect.any(Date) });
    await write([attemptOf(id, 2, true)]);
    expect(await statusOf(id)).toMatchObject({ status: 'succeeded', attempt_count: 2, next_attempt_at: null });
    await write([attemptOf(id, 1, false)]);
    expect(await statusOf(id)).toMatchObject({ status: 'succeeded', attempt_count: 2, next_attempt_at: null });
    expect(await attemptsOf(id)).toBe(3);
  });

  it('finds the scheduled attempts a repeat must not make again: a success of a delivered pair, a failure of a pair not pending', async () => {
    const delivered = await message();
    const failing = await message();
    const dead = await message();
    const gone = await message();
    await write([attemptOf(delivered, 1, false), attemptOf(failing, 1, false), attemptOf(dead, 1, false), attemptOf(gone, 1, false)]);
    await write([attemptOf(delivered, 2, true), attemptOf(dead, 2, false)]);
    // As delivery leaves a pair whose last attempt was its schedule's last, and one answered 410 Gone.
    await dataSource.query(`UPDATE message_endpoints SET status = 'dead', next_attempt_at = NULL WHERE message_id = $1`, [dead]);
    await dataSource.query(`UPDATE attempts SET response_status_code = 410 WHERE message_id = $1`, [gone]);
    await dataSource.query(`UPDATE message_endpoints SET next_attempt_at = NULL WHERE message_id = $1`, [gone]);
    const wanted = [
      { messageId: delivered, endpointId, attemptNumber: 2 },
      { messageId: delivered, endpointId, attemptNumber: 1 },
      { messageId: failing, endpointId, attemptNumber: 1 },
      { messageId: failing, endpointId, attemptNumber: 2 },
      { messageId: dead, endpointId, attemptNumber: 1 },
      { messageId: dead, endpointId, attemptNumber: 2 },
      { messageId: gone, endpointId, attemptNumber: 1 },
    ];
    const recorded = (messageId: string, attemptNumber: number, succeeded: boolean, ended: 'dead' | 'gone' | null = null, statusCode = succeeded ? 200 : 500) => ({
      messageId,
      endpointId,
      attemptNumber,
      succeeded,
      statusCode,
      error: null,
      responseExcerpt: succeeded ? 'ok' : 'upstream down',
      answeredAt: expect.any(Date),
      ended,
    });
    const byAttempt = (rows: Array<{ messageId: string; attemptNumber: number }>) => rows.sort((a, b) => wanted.findIndex((w) => w.messageId === a.messageId && w.attemptNumber === a.attemptNumber) - wanted.findIndex((w) => w.messageId === b.messageId && w.attemptNumber === b.attemptNumber));

    expect(byAttempt(await attempts.recorded(wanted))).toEqual([
      recorded(delivered, 2, true),
      // A failure whose retry went on (here to a success): its repeat would start a second chain.
      recorded(delivered, 1, false),
      recorded(failing, 1, false),
      recorded(dead, 1, false),
      recorded(dead, 2, false, 'dead'),
      recorded(gone, 1, false, 'gone', 410),
    ]);
    // As RedeliveryService leaves a pair it sends again: earlier attempts say nothing of the new task.
    await dataSource.query(`UPDATE message_endpoints SET status = 'pending' WHERE message_id = ANY($1::uuid[])`, [[delivered, failing]]);
    expect(byAttempt(await attempts.recorded(wanted))).toEqual([recorded(dead, 1, false), recorded(dead, 2, false, 'dead'), recorded(gone, 1, false, 'gone', 410)]);
  });

  it("starts the endpoint's failing_since at its first failure, keeps it, answers it failing, and clears it on a success", async () => {
    const firstFailure = new Date(Date.now() - 60_000);
    const { failing } = await write([attemptOf(await message(), 1, false, firstFailure)]);
    expect(failing).toEqual([expect.objectContaining({ id: endpointId, applicationId, failingSince: firstFailure, disabled: false })]);
    await write([attemptOf(await message(), 1, false)]);
    expect(await failingSince()).toEqual(firstFailure);
    const after = await write([attemptOf(await message(), 1, true)]);
    expect(after.failing).toEqual([expect.objectContaining({ id: endpointId, failingSince: null })]);
    expect(await failingSince()).toBeNull();
  });
});
