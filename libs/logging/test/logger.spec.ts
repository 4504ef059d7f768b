import { Writable } from 'node:stream';
import { createLogger } from '../src/logger.js';

/** The lines a logger writes, parsed; createLogger writes to stdout, so the test swaps it for a moment. */
function capture(write: (logger: ReturnType<typeof createLogger>) => void): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  const original = process.stdout.write.bind(process.stdout);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  process.stdout.write = sink.write.bind(sink) as typeof process.stdout.write;
  try {
    write(createLogger('test'));
  } finally {
    process.stdout.write = original;
  }
  return lines;
}

describe('the service logger', () => {
  it("writes a failed query's error without its parameters and with its SQL cut short", () => {
    class QueryFailedError extends Error {}
    const error = Object.assign(new QueryFailedError('invalid input syntax'), {
      code: '22P02',
      query: `INSERT INTO messages ${'x'.repeat(1_000)}`,
      parameters: [['a customer payload', 'another']],
      driverError: { detail: 'the same again' },
    });
    const [line] = capture((logger) => logger.error({ err: error }, 'handler failed'));
    const err = line!.err as Record<string, unknown>;
    expect(err).toMatchObject({ type: 'QueryFailedError', message: 'invalid input syntax', code: '22P02' });
    expect(err).not.toHaveProperty('parameters');
    expect(err).not.toHaveProperty('driverError');
    expect((err.query as string).length).toBe(200);
    expect(JSON.stringify(line)).not.toContain('customer payload');
  });
});
