import { compileFilter, formatFilterProblem, type PayloadPredicate } from '@hookline/filters';
import type { Logger } from '@hookline/logging';
import type { EndpointRow } from './subscriptions.js';

const MAX_ENTRIES = 50_000;
const matchNothing: PayloadPredicate = () => false;

/**
 * Endpoints' payload filters, compiled once per endpoint version (its id and updated_at), never
 * per event. A stored filter that does not compile (the API refuses those, so only a row written
 * around it) lets nothing through and is logged once per version: delivering everything would
 * ignore what the customer asked for.
 */
export class FilterCache {
  private readonly compiled = new Map<string, { version: number; passes: PayloadPredicate }>();

  constructor(private readonly logger: Logger) {}

  passesOf(endpoint: Pick<EndpointRow, 'id' | 'filter' | 'updatedAt'>): PayloadPredicate | null {
    if (endpoint.filter === null) return null;
    const version = endpoint.updatedAt.getTime();
    const cached = this.compiled.get(endpoint.id);
    if (cached?.version === version) return cached.passes;
    const compiled = compileFilter(endpoint.filter);
    if (!compiled.ok) this.logger.warn({ endpointId: endpoint.id, problems: compiled.problems.map(formatFilterProblem) }, 'stored filter does not compile; the endpoint receives nothing until it is fixed');
    const passes = compiled.ok ? compiled.predicate : matchNothing;
    if (this.compiled.size >= MAX_ENTRIES) this.compiled.clear();
    this.compiled.set(endpoint.id, { version, passes });
    return passes;
  }
}
