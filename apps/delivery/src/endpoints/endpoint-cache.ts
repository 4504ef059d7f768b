import { Coalescer, STATEMENT_LINGER_MS } from '@hookline/batching';
import type { Endpoint } from '@hookline/database';
import { type SecretBox, signingKey, signingSecrets } from '@hookline/signing';
import type { KeyObject } from 'node:crypto';
import type { EndpointRepository } from './endpoint.repository.js';

export interface DeliveryTarget {
  endpoint: Endpoint;
  /** Keys that sign: the current secret's, and the previous one's during its rotation grace period. */
  secrets: KeyObject[];
}

/** Endpoint changes reach delivery within this long. */
export const ENDPOINT_CACHE_TTL_MS = 2_000;
const MAX_ENTRIES = 50_000;

/**
 * Endpoints with their secrets decrypted into signing keys, cached briefly: a busy endpoint costs
 * one query and one decryption per TTL instead of per delivery. The tasks that find an entry
 * missing or stale share its one load, and loads of different endpoints share a query.
 */
export class EndpointCache {
  private readonly entries = new Map<string, { target: Promise<DeliveryTarget | null>; until: number }>();
  private readonly loads = new Coalescer<string, Endpoint | null>((ids) => this.loadAll(ids), { maxBatchSize: 500, maxConcurrentBatches: 2, lingerMs: STATEMENT_LINGER_MS });

  constructor(
    private readonly endpoints: Pick<EndpointRepository, 'findByIds'>,
    private readonly secrets: SecretBox,
    private readonly now: () => number = Date.now,
  ) {}

  /** `fresh` skips the cache: before dropping a task, check the endpoint was not just re-enabled. */
  get(endpointId: string, { fresh = false } = {}): Promise<DeliveryTarget | null> {
    const cached = this.entries.get(endpointId);
    if (!fresh && cached && cached.until > this.now()) return cached.target;
    const target = this.loads.add(endpointId).then((endpoint) => (endpoint ? { endpoint, secrets: signingSecrets(this.secrets, endpoint).map(signingKey) } : null));
    if (this.entries.size > MAX_ENTRIES) this.entries.clear();
    this.entries.set(endpointId, { target, until: this.now() + ENDPOINT_CACHE_TTL_MS });
    // A failed load is not cached: the next task tries again.
    target.catch(() => {
      if (this.entries.get(endpointId)?.target === target) this.entries.delete(endpointId);
    });
    return target;
  }

  private async loadAll(ids: readonly string[]): Promise<Array<Endpoint | null>> {
    const rows = await this.endpoints.findByIds([...new Set(ids)]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }
}
