import { jest } from '@jest/globals';
import pino from 'pino';
import { Writable } from 'node:stream';
import { PartitionRetries } from '../src/consumer/partition-retries.js';

/** A logger whose lines the test can count. */
function recordingLogger() {
  const lines: Array<{ msg: string; retryInMs?: number; failingRecords?: number }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const flushLogs = () => new Promise((resolve) => setImmediate(resolve));

describe('PartitionRetries', () => {
  it('holds every failing record of the partition for one shared round, with one log line for it', async () => {
    const { logger, lines } = recordingLogger();
    const retries = new PartitionRetries('t', 0, logger);
    const started = Date.now();
    const waits = Array.from({ length: 500 }, (_, n) => retries.failed(String(n), new Error('database is down')));
    await Promise.all(waits);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(190);
    // One round of 200 ms, not one per record (which would take 100 s); the bound is loose for a busy machine.
    expect(waited).toBeLessThan(5_000);
    await flushLogs();
    const failures = lines.filter((line) => line.msg.startsWith('handler failed'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ retryInMs: 200, failingRecords: 1 });
  });

  it('doubles the wait for each round that fails again, and starts afresh once nothing fails', async () => {
    const { logger, lines } = recordingLogger();
    const retries = new PartitionRetries('t', 0, logger);
    for (let round = 0; round < 3; round++) await retries.failed('7', new Error('still down'));
    await flushLogs();
    expect(lines.filter((line) => line.msg.startsWith('handler failed')).map((line) => line.retryInMs)).toEqual([200, 400, 800]);
    expect(retries.stuck?.record.offset).toBe('7');

    retries.settled('7');
    expect(retries.stuck).toBeNull();
    await flushLogs();
    expect(lines.at(-1)?.msg).toBe('partition recovered');
    // The round's delay as it was scheduled, not the wall time waited: a busy CI machine once
    // stalled this process for over a second.
    await retries.failed('8', new Error('down again'));
    await flushLogs();
    expect(lines.at(-1)).toMatchObject({ msg: expect.stringMatching(/^handler failed/), retryInMs: 200 });
  });

  it('keeps a partition stuck while one record fails, even as others succeed, and names the oldest', async () => {
    const { logger } = recordingLogger();
    const retries = new PartitionRetries('t', 3, logger);
    const poison = retries.failed('10', new Error('cannot store it'));
    const other = retries.failed('12', new Error('cannot store it'));
    await Promise.all([poison, other]);
    retries.settled('12');
    expect(retries.stuck).toMatchObject({ record: { offset: '10' } });
    await retries.failed('10', new Error('cannot store it'));
    expect(retries.stuck?.record.offset).toBe('10');
  });

  it('lets waiting records go at once when woken', async () => {
    // Fake timers: the rounds' delays pass only when the test says, so only wakeAll can end the third.
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { logger } = recordingLogger();
      const retries = new PartitionRetries('t', 0, logger);
      for (const delay of [200, 400]) {
        const round = retries.failed('1', new Error('a'));
        await jest.advanceTimersByTimeAsync(delay);
        await round;
      }
      let done = false;
      const wait = retries.failed('1', new Error('a')).then(() => (done = true)); // the third round waits 800 ms
      await flushLogs();
      expect(done).toBe(false);
      retries.wakeAll();
      await wait;
      expect(done).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
