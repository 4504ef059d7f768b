import { compileFilter, DEFAULT_FILTER_LIMITS, formatFilterProblem } from '@hookline/filters';
import { problemsOf } from './compile.js';

/** Problems as the API will show them: `filter.<path>: <message>`. */
const described = (filter: unknown) => problemsOf(filter).map(formatFilterProblem);

describe('an invalid filter is refused with every problem at its path', () => {
  it('names the operator and what its operand should be', () => {
    expect(problemsOf({ amount: { $gt: true } })).toEqual([
      { path: ['amount', '$gt'], operator: '$gt', code: 'invalid_operand', message: 'expects a number or string' },
    ]);
    expect(described({ amount: { $gte: null } })).toEqual(['filter.amount.$gte: expects a number or string']);
    expect(described({ amount: { $lt: [1] } })).toEqual(['filter.amount.$lt: expects a number or string']);
    expect(described({ amount: { $lte: { n: 1 } } })).toEqual(['filter.amount.$lte: expects a number or string']);
    expect(described({ region: { $in: { eu: true } } })).toEqual(['filter.region.$in: expects an array of values, or one value to look for in an array field']);
    expect(described({ region: { $nin: { eu: true } } })).toEqual(['filter.region.$nin: expects an array of values, or one value to look for in an array field']);
    expect(described({ coupon: { $exist: 'yes' } })).toEqual(['filter.coupon.$exist: expects true or false']);
    expect(described({ id: { $regex: 42 } })).toEqual(['filter.id.$regex: expects a string (an RE2 pattern)']);
  });

  it('refuses an unknown operator, wherever it is', () => {
    expect(problemsOf({ status: { $foo: 1 } })).toEqual([{ path: ['status', '$foo'], operator: '$foo', code: 'unknown_operator', message: 'unknown operator' }]);
    expect(described({ $nor: [{ a: 1 }] })).toEqual(['filter.$nor: unknown operator']);
    expect(described({ status: { $ne: 'x' } })).toEqual(['filter.status.$ne: unknown operator']);
    expect(described({ status: { $exists: true } })).toEqual(['filter.status.$exists: unknown operator']);
    expect(described({ items: { $: { id: 1 } } })).toEqual(['filter.items.$: unknown operator']);
  });

  it('$and and $or take a non-empty array of objects', () => {
    expect(problemsOf({ $or: [] })).toEqual([{ path: ['$or'], operator: '$or', code: 'invalid_operand', message: 'expects a non-empty array of objects' }]);
    expect(described({ $and: { a: 1 } })).toEqual(['filter.$and: expects a non-empty array of objects']);
    expect(described({ $or: [{ a: 1 }, 'b', [{ c: 1 }]] })).toEqual(['filter.$or[1]: expects an object of conditions', 'filter.$or[2]: expects an object of conditions']);
  });

  it('finds problems deep inside $and/$or, with the indices in the path', () => {
    expect(problemsOf({ $and: [{ a: 1 }, { $or: [{ b: { $gt: 'x' } }, { c: { $in: 5, $bad: 1 } }] }] })).toEqual([
      { path: ['$and', 1, '$or', 1, 'c', '$bad'], operator: '$bad', code: 'unknown_operator', message: 'unknown operator' },
    ]);
    expect(described({ $or: [{ 'a.b': { $regex: '(' } }] })).toEqual(['filter.$or[0].a.b.$regex: not a valid RE2 pattern: missing closing ): `(`']);
  });

  it('reports every problem of a document, not only the first', () => {
    expect(described({ a: { $gt: true }, b: { $exist: 1 }, c: { $zap: 1 } })).toEqual([
      'filter.a.$gt: expects a number or string',
      'filter.b.$exist: expects true or false',
      'filter.c.$zap: unknown operator',
    ]);
  });

  it('refuses an operator with no field to test', () => {
    expect(problemsOf({ $gt: 5 })).toEqual([{ path: ['$gt'], operator: '$gt', code: 'invalid_filter', message: 'an operator needs a field: write {"<field>": {"$gt": ...}}' }]);
    expect(described({ $or: [{ $exist: true }] })).toEqual(['filter.$or[0].$exist: an operator needs a field: write {"<field>": {"$exist": ...}}']);
  });

  it('refuses a document that is not an object, and an empty object as a field condition', () => {
    for (const document of [null, [], 'status', 3, [{ a: 1 }]]) {
      expect(problemsOf(document)).toEqual([{ path: [], code: 'invalid_filter', message: 'expects an object' }]);
    }
    expect(described({ customer: {} })).toEqual(['filter.customer: expects at least one condition (an empty object matches nothing in Convoy)']);
  });

  it('refuses field paths Convoy refuses: a trailing $, more than three $, empty segments', () => {
    expect(problemsOf({ 'data.$.venue.$': 'test' })).toEqual([
      { path: ['data.$.venue.$'], code: 'invalid_path', message: 'a field path cannot end with the array wildcard $: name the element or the key to test' },
    ]);
    expect(described({ items: { '$.x.$': { $gt: 1 } } })).toEqual(['filter.items.$.x.$: a field path cannot end with the array wildcard $: name the element or the key to test']);
    expect(described({ 'a.$.b.$.c.$.d.$.e': 'test' })).toEqual(['filter.a.$.b.$.c.$.d.$.e: a field path has at most 3 array wildcards ($)']);
    expect(described({ 'a.$': { 'b.$': { 'c.$': { 'd.$': { e: 1 } } } } })).toEqual(['filter.a.$.b.$.c.$.d.$: a field path has at most 3 array wildcards ($)']);
    for (const key of ['', '.a', 'a.', 'a..b', '$.']) {
      expect(described({ [key]: 1 })).toEqual([`filter.${key}: a field path has no empty segment (no leading, trailing or doubled ".")`]);
    }
  });

  it('RE2 refuses what only a backtracking engine can run', () => {
    expect(described({ id: { $regex: '(a)\\1' } })).toEqual(['filter.id.$regex: not a valid RE2 pattern: invalid escape sequence: `\\1`']);
    expect(described({ id: { $regex: 'a(?=b)' } })).toEqual(['filter.id.$regex: not a valid RE2 pattern: invalid or unsupported Perl syntax: `(?=`']);
    expect(described({ id: { $regex: '(?<!a)b' } })).toEqual(['filter.id.$regex: not a valid RE2 pattern: invalid named capture: `(?<!a)b`']);
  });
});

describe('limits', () => {
  const { maxDepth, maxNodes, maxInListSize, maxRegexLength, maxRegexProgramSize, maxPathSegments } = DEFAULT_FILTER_LIMITS;

  /** `{"a": {"a": ... {"a": 1}}}` with `levels` objects. */
  const nested = (levels: number): Record<string, unknown> => (levels === 1 ? { a: 1 } : { a: nested(levels - 1) });

  it('depth: objects nested deeper than maxDepth are refused where they cross it', () => {
    expect(compileFilter(nested(maxDepth)).ok).toBe(true);
    const problems = problemsOf(nested(maxDepth + 1));
    expect(problems).toEqual([{ path: Array(maxDepth).fill('a'), code: 'limit_exceeded', message: `nested deeper than ${maxDepth} levels` }]);
  });

  it('depth: operands and $and/$or count too, and a pathological nesting fails fast', () => {
    let deepOperand: unknown = 1;
    for (let level = 0; level < maxDepth; level++) deepOperand = [deepOperand];
    expect(described({ a: { $eq: deepOperand } })).toEqual([`filter.a.$eq: nested deeper than ${maxDepth} levels`]);
    expect(described({ a: deepOperand })).toEqual([`filter.a: nested deeper than ${maxDepth} levels`]);
    let deepOr: Record<string, unknown> = { a: 1 };
    for (let level = 0; level < maxDepth; level++) deepOr = { $or: [deepOr] };
    expect(problemsOf(deepOr)[0]!.code).toBe('limit_exceeded');

    let hostile: unknown = 1;
    for (let level = 0; level < 100_000; level++) hostile = { a: hostile };
    const started = performance.now();
    expect(problemsOf(hostile)[0]!.code).toBe('limit_exceeded');
    // The check stops at the depth limit rather than walking 100,000 levels; the bound is generous for a loaded machine.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('nodes: at most maxNodes conditions, said once', () => {
    const within = Object.fromEntries(Array.from({ length: maxNodes }, (_, index) => [`f${index}`, index]));
    expect(compileFilter(within).ok).toBe(true);
    const over = { ...within, extra: 1, more: 2 };
    expect(described(over)).toEqual([`filter.extra: more than ${maxNodes} conditions`]);
  });

  it('$in lists, regex length and regex program size', () => {
    const list = Array.from({ length: maxInListSize + 1 }, (_, index) => index);
    expect(described({ id: { $in: list } })).toEqual([`filter.id.$in: at most ${maxInListSize} values`]);
    expect(compileFilter({ id: { $nin: list.slice(1) } }).ok).toBe(true);
    expect(described({ id: { $regex: 'a'.repeat(maxRegexLength + 1) } })).toEqual([`filter.id.$regex: at most ${maxRegexLength} characters`]);
    expect(described({ id: { $regex: '\\w{1000}' } })).toEqual([`filter.id.$regex: pattern too complex: 1002 RE2 instructions, at most ${maxRegexProgramSize}`]);
    expect(described({ id: { $regex: '((a{100}){100}){100}' } })).toEqual(['filter.id.$regex: not a valid RE2 pattern: invalid repeat count: `{100}`']);
  });

  it('path segments: dotted keys and enclosing objects together', () => {
    const key = Array.from({ length: maxPathSegments }, (_, index) => `s${index}`).join('.');
    expect(compileFilter({ [key]: 1 }).ok).toBe(true);
    expect(problemsOf({ outer: { [key]: 1 } })[0]).toMatchObject({ path: ['outer', key], code: 'limit_exceeded' });
  });

  it('can be set per call', () => {
    const result = compileFilter({ id: { $in: [1, 2, 3] } }, { maxInListSize: 2 });
    expect(result.ok ? [] : result.problems.map(formatFilterProblem)).toEqual(['filter.id.$in: at most 2 values']);
  });
});
