import { Coalescer, STATEMENT_LINGER_MS } from '@hookline/batching';
import { Injectable } from '@nestjs/common';
import { EndpointsRepository } from '../endpoints/endpoints.repository.js';

/** An endpoint switched to FIFO orders the ingest topic's records of its application within this long. */
const TTL_MS = 2_000;
const MAX_ENTRIES = 50_000;

/**
 * Whether an application has a FIFO endpoint, cached briefly: only such applications' ingest
 * records wait for each other's emits (EmitTurnstile); the rest pay nothing. Lookups of different
 * applications share a query.
 */
@Injectable()
export class OrderedApplications {
  private readonly entries = new Map<string, { ordered: Promise<boolean>; until: number }>();
  private readonly lookups = new Coalescer<string, boolean>((ids) => this.lookup(ids), { maxBatchSize: 500, maxConcurrentBatches: 2, lingerMs: STATEMENT_LINGER_MS });

  constructor(private readonly endpoints: EndpointsRepository) {}

  has(applicationId: string): Promise<boolean> {
    const cached = this.entries.get(applicationId);
    if (cached && cached.until > Date.now()) return cached.ordered;
    const ordered = this.lookups.add(applicationId);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(applicationId, { ordered, until: Date.now() + TTL_MS });
    ordered.catch(() => {
      if (this.entries.get(applicationId)?.ordered === ordered) this.entries.delete(applicationId);
    });
    return ordered;
  }

  private async lookup(ids: readonly string[]): Promise<boolean[]> {
    const ordered = await this.endpoints.applicationsWithFifoEndpoints([...new Set(ids)]);
    return ids.map((id) => ordered.has(id));
  }
}
