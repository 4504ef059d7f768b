import { CachedLookup } from '@hookline/batching';
import type { Endpoint } from '@hookline/database';
import { asError } from '@hookline/logging';
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

/**
 * Endpoints with their secrets decrypted into signing keys, cached briefly: a busy endpoint costs
 * one query and one decryption per TTL instead of per delivery.
 */
export class EndpointCache {
  private readonly targets: CachedLookup<string, DeliveryTarget | null>;

  constructor(
    private readonly endpoints: Pick<EndpointRepository, 'findByIds'>,
    private readonly secrets: SecretBox,
    now?: () => number,
  ) {
    this.targets = new CachedLookup((ids) => this.loadAll(ids), { ttlMs: ENDPOINT_CACHE_TTL_MS, now });
  }

  /** `fresh` skips the cache: before dropping a task, check the endpoint was not just re-enabled. */
  get(endpointId: string, { fresh = false } = {}): Promise<DeliveryTarget | null> {
    return this.targets.get(endpointId, { fresh });
  }

  /** An endpoint whose secret cannot be decrypted fails alone (an Error in its place), not its batch. */
  private async loadAll(ids: readonly string[]): Promise<Array<DeliveryTarget | null | Error>> {
    const rows = await this.endpoints.findByIds([...new Set(ids)]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => {
      const endpoint = byId.get(id);
      if (!endpoint) return null;
      try {
        return { endpoint, secrets: signingSecrets(this.secrets, endpoint).map(signingKey) };
      } catch (error) {
        return asError(error);
      }
    });
  }
}
