export type FilterProblemCode =
  /** The document, or a place in it, is not the shape a filter takes (not an object, an empty condition). */
  | 'invalid_filter'
  /** A key that starts with `$` and is none of the operators. */
  | 'unknown_operator'
  /** An operator's operand of the wrong type. */
  | 'invalid_operand'
  /** A field path that cannot be evaluated (an empty segment, a trailing or a fourth `$`). */
  | 'invalid_path'
  /** A `$regex` that RE2 does not accept, or that compiles to too large a program. */
  | 'invalid_regex'
  /** One of the FilterLimits. */
  | 'limit_exceeded';

/** One thing wrong with a filter document, at the place in it where it is wrong. */
export interface FilterProblem {
  /** JSON path inside the filter document: object keys as written, array indices as numbers. */
  path: Array<string | number>;
  /** The operator concerned, when there is one (also the last element of `path`). */
  operator?: string;
  code: FilterProblemCode;
  message: string;
}

/** `filter.amount.$gt: expects a number or string`; indices show as `[0]`. */
export function formatFilterProblem(problem: FilterProblem): string {
  const where = problem.path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('');
  return `filter${where}: ${problem.message}`;
}
