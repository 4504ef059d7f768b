import { compileFilter, DEFAULT_FILTER_LIMITS } from '@hookline/filters';
import { compiled } from './compile.js';

/** Runs `work` and returns its result with the milliseconds it took. */
function timed<T>(work: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = work();
  return { result, ms: performance.now() - started };
}

// Patterns that take exponential (or high polynomial) time on a backtracking engine such as
// JavaScript's RegExp once the input nearly matches: 30 characters already take seconds there.
// RE2 matches in time linear in the input, so 60,000 characters (within one evaluation's regex
// budget) take milliseconds. The bound below is generous for a loaded 2-core machine and still
// far short of what backtracking would need for even a hundredth of these inputs.
const BOUND_MS = 10_000;
const catastrophic: Array<{ pattern: string; input: string; expected: boolean }> = [
  { pattern: '(a+)+$', input: `${'a'.repeat(60_000)}!`, expected: false },
  { pattern: '^(a|aa)+$', input: `${'a'.repeat(60_000)}!`, expected: false },
  { pattern: '^(a|a?)+$', input: `${'a'.repeat(60_000)}b`, expected: false },
  { pattern: '(.*a){12}$', input: `${'a'.repeat(60_000)}b`, expected: false },
  { pattern: '^(([a-z])+.)+[A-Z]([a-z])+$', input: `${'ab'.repeat(30_000)}!`, expected: false },
  { pattern: '^(\\w+\\s?)*$', input: `${'word '.repeat(12_000)}!`, expected: false },
  { pattern: '(a+)+b', input: `${'a'.repeat(60_000)}b`, expected: true },
];

describe('$regex against catastrophic patterns', () => {
  it.each(catastrophic)('$pattern on about 60,000 characters finishes in linear time', ({ pattern, input, expected }) => {
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

describe('the regex budget of one evaluation', () => {
  const { maxRegexInputPerEvaluation } = DEFAULT_FILTER_LIMITS;
  // 100 strings of 1,000 characters: more text than one evaluation may scan; only the last has a z.
  const lines = Array.from({ length: 100 }, (_, index) => ({ text: `${'a'.repeat(999)}${index === 99 ? 'z' : 'a'}` }));

  it('stops $regex from scanning more than maxRegexInputPerEvaluation characters: past it, no match', () => {
    expect(maxRegexInputPerEvaluation).toBeLessThan(100_000);
    const predicate = compiled({ 'lines.$.text': { $regex: 'z' } });
    expect(predicate({ lines })).toBe(false);
    expect(predicate({ lines: lines.slice(-1) })).toBe(true);
  });

  it('is refilled for every evaluation, and can be raised', () => {
    const predicate = compiled({ 'lines.$.text': { $regex: 'z' } });
    for (let evaluation = 0; evaluation < 3; evaluation++) expect(predicate({ lines: lines.slice(-60) })).toBe(true);
    const generous = compileFilter({ 'lines.$.text': { $regex: 'z' } }, { maxRegexInputPerEvaluation: 100_000 });
    expect(generous.ok && generous.predicate({ lines })).toBe(true);
  });
});
