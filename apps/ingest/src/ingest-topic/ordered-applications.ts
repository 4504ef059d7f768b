import { CachedLookup } from '@hookline/batching';
import { Injectable } from '@nestjs/common';
import { EndpointsRepository } from '../endpoints/endpoints.repository.js';

/** An endpoint switched to FIFO orders the ingest topic's records of its application within this long. */
const TTL_MS = 2_000;

/**
 * Whether an application has a FIFO endpoint, cached briefly: only such applications' ingest
 * records wait for each other's emits (EmitTurnstile); the rest pay nothing.
 */
@Injectable()
export class OrderedApplications {
  private readonly ordered = new CachedLookup<string, boolean>((ids) => this.lookup(ids), { ttlMs: TTL_MS });

  constructor(private readonly endpoints: EndpointsRepository) {}

  has(applicationId: string): Promise<boolean> {
    return this.ordered.get(applicationId);
  }

  private async lookup(ids: readonly string[]): Promise<boolean[]> {
    const ordered = await this.endpoints.applicationsWithFifoEndpoints([...new Set(ids)]);
    return ids.map((id) => ordered.has(id));
  }
}
