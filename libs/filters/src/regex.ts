import { RE2JS, RE2JSException } from 're2js';
import { type ValueTest } from './field-path.js';

/** A compiled `$regex`, or why the pattern is refused. */
export type CompiledRegex = { test: ValueTest } | { problem: string };

/** Characters the `$regex` tests of the evaluation under way may still examine; reset per evaluation. */
export interface RegexBudget {
  left: number;
}

/**
 * Compiles a `$regex` pattern with RE2 semantics (re2js, a port of Go's regexp, the engine Convoy
 * runs filters with): matching takes time linear in the input, and the constructs that would
 * need backtracking (backreferences, lookarounds) are syntax errors rather than a hazard. The
 * test is an unanchored search, as Go's `FindAllString` is, and passes only strings, charged to
 * `budget` before it runs.
 */
export function compileRegex(pattern: string, maxProgramSize: number, budget: RegexBudget): CompiledRegex {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    if (error instanceof RE2JSException) return { problem: `not a valid RE2 pattern: ${error.message.replace(/^error parsing regexp: /, '')}` };
    throw error;
  }
  const size = compiled.programSize();
  if (size > maxProgramSize) return { problem: `pattern too complex: ${size} RE2 instructions, at most ${maxProgramSize}` };
  return {
    test: (value) => {
      if (typeof value !== 'string') return false;
      budget.left -= value.length;
      return budget.left >= 0 && compiled.test(value);
    },
  };
}
