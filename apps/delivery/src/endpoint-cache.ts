import { Endpoint } from '@hookline/database';
import { SecretBox } from '@hookline/signing';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';

export interface DeliveryTarget {
  endpoint: Endpoint;
  /** Secrets that sign: the current one, and the previous one during its rotation grace period. */
  secrets: string[];
}

/** Endpoint changes reach delivery within this long. */
const TTL_MS = 2_000;

/**
 * Endpoints with their secrets decrypted, cached briefly: a busy endpoint costs one query and
 * one decryption per TTL instead of per delivery.
 */
@Injectable()
export class EndpointCache {
  private readonly entries = new Map<string, { target: DeliveryTarget | null; until: number }>();

  constructor(
    @InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>,
    private readonly secrets: SecretBox,
  ) {}

  /** `fresh` skips the cache: before dropping a task, check the endpoint was not just re-enabled. */
  async get(endpointId: string, { fresh = false } = {}): Promise<DeliveryTarget | null> {
    const cached = this.entries.get(endpointId);
    if (!fresh && cached && cached.until > Date.now()) return cached.target;
    const endpoint = await this.endpoints.findOneBy({ id: endpointId });
    const target = endpoint ? { endpoint, secrets: this.secretsOf(endpoint) } : null;
    if (this.entries.size > 50_000) this.entries.clear();
    this.entries.set(endpointId, { target, until: Date.now() + TTL_MS });
    return target;
  }

  private secretsOf(endpoint: Endpoint): string[] {
    const current = this.secrets.decrypt({ keyId: endpoint.secretKeyId, ciphertext: endpoint.secretCiphertext });
    const previousValid =
      endpoint.previousSecretCiphertext && endpoint.previousSecretKeyId && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date();
    return previousValid
      ? [current, this.secrets.decrypt({ keyId: endpoint.previousSecretKeyId!, ciphertext: endpoint.previousSecretCiphertext! })]
      : [current];
  }
}
