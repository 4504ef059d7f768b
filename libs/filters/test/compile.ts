import { compileFilter, formatFilterProblem, type FilterProblem, type PayloadPredicate } from '@hookline/filters';

/** The predicate of a filter the test expects to be valid; a refusal fails the test with its problems. */
export function compiled(filter: unknown): PayloadPredicate {
  const result = compileFilter(filter);
  if (!result.ok) throw new Error(`expected a valid filter, got: ${result.problems.map(formatFilterProblem).join('; ')}`);
  return result.predicate;
}

export const matches = (filter: unknown, payload: unknown): boolean => compiled(filter)(payload);

/** The problems of a filter the test expects to be refused. */
export function problemsOf(filter: unknown): FilterProblem[] {
  const result = compileFilter(filter);
  if (result.ok) throw new Error(`expected ${JSON.stringify(filter)} to be refused`);
  return result.problems;
}
