import { type ValueTest } from './field-path.js';
import { type FilterLimits } from './filter-limits.js';
import { type FilterProblemCode } from './filter-problem.js';
import { depthOf, isScalar, jsonEqual, type JsonScalar } from './json-value.js';
import { compileRegex, type RegexBudget } from './regex.js';

/** What an operator's operand compiles to: a test on the field's value, or why it is refused. */
export type OperandResult = { test: ValueTest } | { problem: string; code: FilterProblemCode };

export interface OperandContext {
  limits: FilterLimits;
  /** Levels of nesting the operand may still use before the document exceeds maxDepth. */
  depthLeft: number;
  /** Shared by the filter's `$regex` tests; the compiled predicate refills it per evaluation. */
  regexBudget: RegexBudget;
}

type CompileOperand = (operand: unknown, context: OperandContext) => OperandResult;

const refuse = (problem: string, code: FilterProblemCode = 'invalid_operand'): OperandResult => ({ problem, code });

function withinDepth(operand: unknown, context: OperandContext, compile: () => OperandResult): OperandResult {
  if (depthOf(operand, context.depthLeft) > context.depthLeft) return refuse(`nested deeper than ${context.limits.maxDepth} levels`, 'limit_exceeded');
  return compile();
}

/** `$eq`: the whole value equals the operand; an array field is not searched (as in Convoy). */
export function equalTo(operand: unknown): ValueTest {
  if (isScalar(operand)) return (value) => value === operand;
  const expected = structuredClone(operand);
  return (value) => jsonEqual(value, expected);
}

/**
 * A bare value in the filter (`{"status": "paid"}`): a scalar matches a field equal to it or an
 * array field holding it (Convoy's "array contains" match); an array matches an equal array.
 */
export function bareValue(operand: JsonScalar | unknown[]): ValueTest {
  if (Array.isArray(operand)) return equalTo(operand);
  return (value) => value === operand || (Array.isArray(value) && value.includes(operand));
}

function ordered(accepts: <T extends number | string>(value: T, operand: T) => boolean): CompileOperand {
  return (operand) => {
    if (typeof operand === 'number') return { test: (value) => typeof value === 'number' && accepts(value, operand) };
    if (typeof operand === 'string') return { test: (value) => typeof value === 'string' && accepts(value, operand) };
    return refuse('expects a number or string');
  };
}

/**
 * `$in` as Convoy has it: with a list, the field's whole value is one of the list's members; with
 * a single value, the field is an array that holds it.
 */
function membership(operand: unknown, context: OperandContext): OperandResult {
  if (isScalar(operand)) return { test: (value) => Array.isArray(value) && value.includes(operand) };
  if (!Array.isArray(operand)) return refuse('expects an array of values, or one value to look for in an array field');
  if (operand.length > context.limits.maxInListSize) return refuse(`at most ${context.limits.maxInListSize} values`, 'limit_exceeded');
  return withinDepth(operand, context, () => {
    if (operand.every(isScalar)) {
      const members = new Set<unknown>(operand);
      return { test: (value) => isScalar(value) && members.has(value) };
    }
    const members = structuredClone(operand);
    return { test: (value) => members.some((member) => jsonEqual(value, member)) };
  });
}

function negated(compile: CompileOperand): CompileOperand {
  return (operand, context) => {
    const result = compile(operand, context);
    if (!('test' in result)) return result;
    const { test } = result;
    return { test: (value) => !test(value) };
  };
}

function regex(operand: unknown, context: OperandContext): OperandResult {
  if (typeof operand !== 'string') return refuse('expects a string (an RE2 pattern)');
  if (operand.length > context.limits.maxRegexLength) return refuse(`at most ${context.limits.maxRegexLength} characters`, 'limit_exceeded');
  const compiled = compileRegex(operand, context.limits.maxRegexProgramSize, context.regexBudget);
  return 'test' in compiled ? compiled : refuse(compiled.problem, 'invalid_regex');
}

/**
 * The operators that test the value at a field path. Each applies only to a value that is
 * present: on a missing field every one of them is false, `$neq` and `$nin` included (Convoy's
 * current rule; `{"$exist": false}` is the way to ask for absence).
 */
export const VALUE_OPERATORS: Readonly<Record<string, CompileOperand>> = {
  $eq: (operand, context) => withinDepth(operand, context, () => ({ test: equalTo(operand) })),
  $neq: negated((operand, context) => withinDepth(operand, context, () => ({ test: equalTo(operand) }))),
  $gt: ordered((value, operand) => value > operand),
  $gte: ordered((value, operand) => value >= operand),
  $lt: ordered((value, operand) => value < operand),
  $lte: ordered((value, operand) => value <= operand),
  $in: membership,
  $nin: negated(membership),
  $regex: regex,
};

export const EXIST = '$exist';
export const LOGICAL_OPERATORS = ['$and', '$or'] as const;
export type LogicalOperator = (typeof LOGICAL_OPERATORS)[number];

export function isLogicalOperator(key: string): key is LogicalOperator {
  return (LOGICAL_OPERATORS as readonly string[]).includes(key);
}

/** Whether an object key is an operator rather than a field: `$gt`, but not `$.items` (a path). */
export function isOperatorKey(key: string): boolean {
  return key.startsWith('$') && !key.startsWith('$.');
}
