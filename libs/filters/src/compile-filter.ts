import { ARRAY_WILDCARD, compilePathProbe, MAX_ARRAY_WILDCARDS, type ValueTest } from './field-path.js';
import { DEFAULT_FILTER_LIMITS, type FilterLimits } from './filter-limits.js';
import { type FilterProblem, type FilterProblemCode } from './filter-problem.js';
import { depthOf, isPlainObject, type JsonScalar } from './json-value.js';
import { bareValue, EXIST, isLogicalOperator, isOperatorKey, VALUE_OPERATORS } from './operators.js';
import { type RegexBudget } from './regex.js';

/** Whether an event's payload (its parsed JSON) passes a filter. */
export type PayloadPredicate = (payload: unknown) => boolean;

export type CompiledFilter = { ok: true; predicate: PayloadPredicate } | { ok: false; problems: FilterProblem[] };

/** Enough to fix a filter by; a document with more problems than this shows the first ones. */
const MAX_PROBLEMS = 50;

const matchAll: PayloadPredicate = () => true;

function allOf(predicates: PayloadPredicate[]): PayloadPredicate {
  if (predicates.length === 0) return matchAll;
  if (predicates.length === 1) return predicates[0]!;
  if (predicates.length === 2) {
    const [first, second] = predicates as [PayloadPredicate, PayloadPredicate];
    return (payload) => first(payload) && second(payload);
  }
  return (payload) => {
    for (const predicate of predicates) if (!predicate(payload)) return false;
    return true;
  };
}

function anyOf(predicates: PayloadPredicate[]): PayloadPredicate {
  if (predicates.length === 1) return predicates[0]!;
  return (payload) => {
    for (const predicate of predicates) if (predicate(payload)) return true;
    return false;
  };
}

function allTests(tests: ValueTest[]): ValueTest {
  if (tests.length === 1) return tests[0]!;
  return (value) => {
    for (const test of tests) if (!test(value)) return false;
    return true;
  };
}

type Location = Array<string | number>;

/** One walk over a filter document: builds the predicate and gathers every problem on the way. */
class FilterCompiler {
  readonly problems: FilterProblem[] = [];
  readonly regexBudget: RegexBudget = { left: 0 };
  hasRegex = false;
  private nodes = 0;

  constructor(private readonly limits: FilterLimits) {}

  private report(path: Location, code: FilterProblemCode, message: string, operator?: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(operator === undefined ? { path, code, message } : { path, operator, code, message });
  }

  /** Counts one node; false (after saying so once) when the document has too many. */
  private countNode(path: Location): boolean {
    this.nodes++;
    if (this.nodes === this.limits.maxNodes + 1) this.report(path, 'limit_exceeded', `more than ${this.limits.maxNodes} conditions`);
    return this.nodes <= this.limits.maxNodes;
  }

  /**
   * The conditions of one object, all of which must hold. `field` is the payload path the object
   * sits at (empty at the root and in `$and`/`$or` there); `depth` its nesting level in the document.
   */
  conditions(object: Record<string, unknown>, at: Location, field: string[], depth: number): PayloadPredicate {
    if (depth > this.limits.maxDepth) {
      this.report(at, 'limit_exceeded', `nested deeper than ${this.limits.maxDepth} levels`);
      return matchAll;
    }
    const predicates: PayloadPredicate[] = [];
    const tests: ValueTest[] = [];
    let fieldIsTestable: boolean | undefined;
    for (const [key, value] of Object.entries(object)) {
      const here = [...at, key];
      if (isLogicalOperator(key)) {
        const predicate = this.logical(key, value, here, field, depth);
        if (predicate) predicates.push(predicate);
      } else if (isOperatorKey(key)) {
        if (key !== EXIST && !Object.hasOwn(VALUE_OPERATORS, key)) {
          this.report(here, 'unknown_operator', 'unknown operator', key);
          continue;
        }
        // Every operator of this object tests the field the object sits at: check it once.
        fieldIsTestable ??= this.testableField(field, at, key);
        if (!fieldIsTestable) continue;
        if (key === EXIST) {
          const predicate = this.exist(value, here, field);
          if (predicate) predicates.push(predicate);
        } else {
          const test = this.valueOperator(key, value, here, depth);
          if (test) tests.push(test);
        }
      } else {
        const predicate = this.field(key, value, here, field, depth);
        if (predicate) predicates.push(predicate);
      }
    }
    // The operators of one object test the same value: one walk to it, and with a `$` wildcard
    // the same array element must pass them all (as each concrete path does in Convoy).
    if (tests.length > 0) predicates.unshift(compilePathProbe(field, allTests(tests)));
    return allOf(predicates);
  }

  private logical(operator: '$and' | '$or', value: unknown, at: Location, field: string[], depth: number): PayloadPredicate | undefined {
    if (!this.countNode(at)) return undefined;
    if (!Array.isArray(value) || value.length === 0) {
      this.report(at, 'invalid_operand', 'expects a non-empty array of objects', operator);
      return undefined;
    }
    if (depth + 1 > this.limits.maxDepth) {
      this.report(at, 'limit_exceeded', `nested deeper than ${this.limits.maxDepth} levels`, operator);
      return undefined;
    }
    const branches: PayloadPredicate[] = [];
    value.forEach((branch, index) => {
      if (isPlainObject(branch)) branches.push(this.conditions(branch, [...at, index], field, depth + 2));
      else this.report([...at, index], 'invalid_operand', 'expects an object of conditions', operator);
    });
    return operator === '$and' ? allOf(branches) : anyOf(branches);
  }

  private exist(value: unknown, at: Location, field: string[]): PayloadPredicate | undefined {
    if (!this.countNode(at)) return undefined;
    if (typeof value !== 'boolean') {
      this.report(at, 'invalid_operand', 'expects true or false', EXIST);
      return undefined;
    }
    const present = compilePathProbe(field, () => true);
    return value ? present : (payload) => !present(payload);
  }

  private valueOperator(operator: string, operand: unknown, at: Location, depth: number): ValueTest | undefined {
    if (!this.countNode(at)) return undefined;
    if (operator === '$regex') this.hasRegex = true;
    const result = VALUE_OPERATORS[operator]!(operand, { limits: this.limits, depthLeft: this.limits.maxDepth - depth, regexBudget: this.regexBudget });
    if ('problem' in result) {
      this.report(at, result.code, result.problem, operator);
      return undefined;
    }
    return result.test;
  }

  /** A key that names a field (`amount`, `data.items.0.id`, `$.venues.$.name`) and what it must hold. */
  private field(key: string, value: unknown, at: Location, parent: string[], depth: number): PayloadPredicate | undefined {
    const segments = key.split('.');
    if (segments.some((segment) => segment === '')) {
      this.report(at, 'invalid_path', 'a field path has no empty segment (no leading, trailing or doubled ".")');
      return undefined;
    }
    const field = [...parent, ...segments];
    if (field.length > this.limits.maxPathSegments) {
      this.report(at, 'limit_exceeded', `a field path has at most ${this.limits.maxPathSegments} segments`);
      return undefined;
    }
    if (field.filter((segment) => segment === ARRAY_WILDCARD).length > MAX_ARRAY_WILDCARDS) {
      this.report(at, 'invalid_path', `a field path has at most ${MAX_ARRAY_WILDCARDS} array wildcards ($)`);
      return undefined;
    }
    if (isPlainObject(value)) {
      if (Object.keys(value).length === 0) {
        this.report(at, 'invalid_filter', 'expects at least one condition (an empty object matches nothing in Convoy)');
        return undefined;
      }
      return this.conditions(value, at, field, depth + 1);
    }
    if (!this.countNode(at)) return undefined;
    if (Array.isArray(value) && depth + depthOf(value, this.limits.maxDepth) > this.limits.maxDepth) {
      this.report(at, 'limit_exceeded', `nested deeper than ${this.limits.maxDepth} levels`);
      return undefined;
    }
    if (!this.testableField(field, at)) return undefined;
    return compilePathProbe(field, bareValue(value as JsonScalar | unknown[]));
  }

  /**
   * Whether a value can be tested at `field`: there must be one (an operator at the root has
   * none), and it must end at an element or a key, not at "any element" (Convoy refuses a
   * trailing `.$` too). `at` is where the field is named in the document.
   */
  private testableField(field: string[], at: Location, operator?: string): boolean {
    if (field.length === 0) {
      this.report([...at, operator ?? ''], 'invalid_filter', `an operator needs a field: write {"<field>": {"${operator}": ...}}`, operator);
      return false;
    }
    if (field.at(-1) !== ARRAY_WILDCARD) return true;
    this.report(at, 'invalid_path', 'a field path cannot end with the array wildcard $: name the element or the key to test');
    return false;
  }
}

/**
 * Compiles a filter document (Convoy's syntax; see the README) once into a predicate over
 * payloads, or says everything that is wrong with it, each problem at its path in the document.
 * An empty document matches every payload.
 */
export function compileFilter(document: unknown, limits: Partial<FilterLimits> = {}): CompiledFilter {
  const effective = { ...DEFAULT_FILTER_LIMITS, ...limits };
  const compiler = new FilterCompiler(effective);
  if (!isPlainObject(document)) return { ok: false, problems: [{ path: [], code: 'invalid_filter', message: 'expects an object' }] };
  const conditions = compiler.conditions(document, [], [], 1);
  if (compiler.problems.length > 0) return { ok: false, problems: compiler.problems };
  if (!compiler.hasRegex) return { ok: true, predicate: conditions };
  // Evaluation is synchronous, so one budget per compiled filter, refilled on entry, is enough.
  const { regexBudget } = compiler;
  return {
    ok: true,
    predicate: (payload) => {
      regexBudget.left = effective.maxRegexInputPerEvaluation;
      return conditions(payload);
    },
  };
}
