import { ApiKey } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { asId } from '../http/lookup.js';
import { type ListResponse, paginate } from '../http/pagination.js';
import type { ListQuery } from '../http/schemas.js';
import { TOKEN_REVOKED_CHANNEL } from './token-revocations.js';

// Revokes the key once: a second revocation keeps the first time. Its hash is announced to every
// ingest instance when the revocation commits (TokenRevocations).
const REVOKE = `
  WITH revoked AS (UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 AND application_id = $2 RETURNING key_hash)
  SELECT key_hash, pg_notify($3, key_hash) FROM revoked`;

/** The api_keys table: keys are stored only as their hash. */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>) {}

  insert(fields: { applicationId: string; name: string; keyHash: string }): Promise<ApiKey> {
    return this.keys.save({ id: uuidv7(), ...fields });
  }

  /** The key with this hash, unless it was revoked. */
  findActive(keyHash: string): Promise<ApiKey | null> {
    return this.keys.findOneBy({ keyHash, revokedAt: IsNull() });
  }

  /** A page of the application's keys, oldest first. */
  page(applicationId: string, query: ListQuery): Promise<ListResponse<ApiKey>> {
    return paginate(this.keys.createQueryBuilder('key').where('key.application_id = :applicationId', { applicationId }), 'key.id', query, 'ascending');
  }

  /** Marks the application's key revoked, and announces it to every ingest instance; its hash, or null if the application has no such key. */
  async revoke(applicationId: string, keyId: string): Promise<string | null> {
    const id = asId(keyId);
    if (!id) return null;
    const rows = (await this.keys.query(REVOKE, [id, applicationId, TOKEN_REVOKED_CHANNEL])) as Array<{ key_hash: string }>;
    return rows[0]?.key_hash ?? null;
  }
}
