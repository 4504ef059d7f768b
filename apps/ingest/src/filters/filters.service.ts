import { compileFilter, type PayloadPredicate } from '@hookline/filters';
import { Injectable } from '@nestjs/common';
import { ValidationFailed } from '../http/errors.js';
import type { FilterTestIn, FilterTestOut } from './filters.schemas.js';

/** Payload filters as the API takes them: checked when an endpoint's is written, and tried out on a sample. */
@Injectable()
export class FiltersService {
  /** The filter compiled, or a 422 with every problem at `body.filter.<path in the filter>`, which ends with the operator concerned. */
  check(filter: Record<string, unknown>): PayloadPredicate {
    const compiled = compileFilter(filter);
    if (compiled.ok) return compiled.predicate;
    throw new ValidationFailed(
      compiled.problems.map((problem) => ({
        loc: ['body', 'filter', ...problem.path],
        msg: problem.message,
        type: problem.code,
      })),
    );
  }

  /** Whether the payload passes the filter, as fanout would decide it; an invalid filter matches nothing and says why. */
  test(body: FilterTestIn): FilterTestOut {
    const compiled = compileFilter(body.filter);
    return compiled.ok ? { matches: compiled.predicate(body.payload), problems: [] } : { matches: false, problems: compiled.problems };
  }
}
