export { compileFilter, type CompiledFilter, type PayloadPredicate } from './compile-filter.js';
export { DEFAULT_FILTER_LIMITS, type FilterLimits } from './filter-limits.js';
export { formatFilterProblem, type FilterProblem, type FilterProblemCode } from './filter-problem.js';
