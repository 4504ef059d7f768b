import { compiled } from './compile.js';

/** Runs `work` and returns its result with the milliseconds it took. */
function timed<T>(work: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = work();
  return { result, ms: performance.now() - started };
}

// Patterns that take exponential (or high polynomial) time on a backtracking engine such as
// JavaScript's RegExp once the input nearly matches: 30 characters already take seconds there.
// RE2 matches in time linear in the input, so 100,000 characters take milliseconds. The bound
// below is generous for a loaded 2-core machine and still a million times short of backtracking.
const BOUND_MS = 1_500;
const catastrophic: Array<{ pattern: string; input: string; expected: boolean }> = [
  { pattern: '(a+)+$', input: `${'a'.repeat(100_000)}!`, expected: false },
  { pattern: '^(a|aa)+$', input: `${'a'.repeat(100_000)}!`, expected: false },
  { pattern: '^(a|a?)+$', input: `${'a'.repeat(100_000)}b`, expected: false },
  { pattern: '(.*a){12}$', input: `${'a'.repeat(100_000)}b`, expected: false },
  { pattern: '^(([a-z])+.)+[A-Z]([a-z])+$', input: `${'ab'.repeat(50_000)}!`, expected: false },
  { pattern: '^(\\w+\\s?)*$', input: `${'word '.repeat(20_000)}!`, expected: false },
  { pattern: '(a+)+b', input: `${'a'.repeat(100_000)}b`, expected: true },
];

describe('$regex against catastrophic patterns', () => {
  it.each(catastrophic)('$pattern on about 100,000 characters finishes in linear time', ({ pattern, input, expected }) => {
    const predicate = compiled({ text: { $regex: pattern } });
    const { result, ms } = timed(() => predicate({ text: input }));
    expect(result).toBe(expected);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('a regex behind a wildcard costs in proportion to the payload, not more', () => {
    const predicate = compiled({ 'lines.$.text': { $regex: '(a+)+$' } });
    const lines = Array.from({ length: 1_000 }, () => ({ text: `${'a'.repeat(100)}!` }));
    const { result, ms } = timed(() => predicate({ lines }));
    expect(result).toBe(false);
    expect(ms).toBeLessThan(BOUND_MS);
  });
});
