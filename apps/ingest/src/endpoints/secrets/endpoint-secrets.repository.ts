import { Endpoint } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';

/** The secret columns of an endpoint: the current secret, and the previous one with when it stops signing. */
export type SecretColumns = Partial<Pick<Endpoint, 'secretCiphertext' | 'secretKeyId' | 'previousSecretCiphertext' | 'previousSecretKeyId' | 'previousSecretExpiresAt'>>;

/** Secrets that count: the current one, and the previous one while it still signs. */
const NOT_UNDER_ACTIVE_KEY = `(endpoint.secret_key_id <> :active
  OR (endpoint.previous_secret_ciphertext IS NOT NULL AND endpoint.previous_secret_key_id <> :active AND endpoint.previous_secret_expires_at > now()))`;

/** The endpoints' signing secrets, encrypted at rest. */
@Injectable()
export class EndpointSecretsRepository {
  constructor(@InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>) {}

  /**
   * Changes the endpoint's secrets only if no one changed them since it was read (compare-and-set
   * on both ciphertexts), so a concurrent rotation or re-encryption is never overwritten: false if
   * someone did, and the caller reads again.
   */
  async replaceIfUnchanged(endpoint: Endpoint, changes: SecretColumns): Promise<boolean> {
    const unchanged = { id: endpoint.id, secretCiphertext: endpoint.secretCiphertext, previousSecretCiphertext: endpoint.previousSecretCiphertext ?? IsNull() };
    return Boolean((await this.endpoints.update(unchanged, changes)).affected);
  }

  /**
   * The next endpoints by id after `after` with a secret that counts under another key than the
   * active one, or a previous secret whose grace has ended.
   */
  needingReEncryption(active: string, after: string, limit: number): Promise<Endpoint[]> {
    return this.endpoints
      .createQueryBuilder('endpoint')
      .where('endpoint.id > :after', { after })
      .andWhere(
        `(${NOT_UNDER_ACTIVE_KEY} OR (endpoint.previous_secret_ciphertext IS NOT NULL AND (endpoint.previous_secret_expires_at IS NULL OR endpoint.previous_secret_expires_at <= now())))`,
        { active },
      )
      .orderBy('endpoint.id')
      .limit(limit)
      .getMany();
  }

  /** Secrets that count and are still under another key than the active one, by key id. */
  async remainingByKey(active: string): Promise<Record<string, number>> {
    const rows = (await this.endpoints.query(
      `SELECT key_id AS "keyId", count(*)::int AS count FROM (
         SELECT secret_key_id AS key_id FROM endpoints WHERE secret_key_id <> $1
         UNION ALL
         SELECT previous_secret_key_id FROM endpoints
          WHERE previous_secret_ciphertext IS NOT NULL AND previous_secret_key_id <> $1 AND previous_secret_expires_at > now()
       ) AS old GROUP BY key_id ORDER BY key_id`,
      [active],
    )) as Array<{ keyId: string; count: number }>;
    return Object.fromEntries(rows.map((row) => [row.keyId, row.count]));
  }
}
