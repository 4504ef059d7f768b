import { Endpoint } from '@hookline/database';
import { type EncryptedSecret, SecretBox } from '@hookline/signing';
import { InjectRepository } from '@nestjs/typeorm';
import { type FindOptionsWhere, IsNull, Repository } from 'typeorm';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import * as out from './out.js';
import type { z } from 'zod';

const BATCH = 200;

interface ReEncryptCounts {
  current: number;
  previous: number;
  expiredPreviousDropped: number;
  unreadable: number;
  changedConcurrently: number;
}

/** Secrets that count: the current one, and the previous one while it still signs. */
const NOT_UNDER_ACTIVE_KEY = `(endpoint.secret_key_id <> :active
  OR (endpoint.previous_secret_ciphertext IS NOT NULL AND endpoint.previous_secret_key_id <> :active AND endpoint.previous_secret_expires_at > now()))`;

/**
 * Rotation of the key that encrypts endpoint secrets at rest (HOOKLINE_SECRETS_KEYS): put the
 * new key first and keep the old one after it, restart, call re-encrypt until `remaining` is
 * empty, then drop the old key.
 */
@ApiController()
export class SecretsAdminController {
  constructor(
    @InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>,
    private readonly secrets: SecretBox,
  ) {}

  /**
   * Re-encrypts under the active key every endpoint secret (current, and previous during its
   * grace period) that another key encrypted; drops previous secrets whose grace has ended.
   * Each row is changed only if no one changed it meanwhile (a rotation), so nothing is lost.
   */
  @Operation({
    method: 'post',
    path: '/api/v1/admin/secrets/re-encrypt',
    summary: 'Re-encrypt every endpoint secret under the active key of HOOKLINE_SECRETS_KEYS (admin, Hookline)',
    access: 'admin',
    status: 200,
    response: out.ReEncryptOut,
  })
  async reEncrypt(): Promise<z.output<typeof out.ReEncryptOut>> {
    const active = this.secrets.activeKeyId;
    const result: ReEncryptCounts = { current: 0, previous: 0, expiredPreviousDropped: 0, unreadable: 0, changedConcurrently: 0 };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const batch = await this.endpoints
        .createQueryBuilder('endpoint')
        .where('endpoint.id > :after', { after })
        .andWhere(
          `(${NOT_UNDER_ACTIVE_KEY} OR (endpoint.previous_secret_ciphertext IS NOT NULL AND (endpoint.previous_secret_expires_at IS NULL OR endpoint.previous_secret_expires_at <= now())))`,
          { active },
        )
        .orderBy('endpoint.id')
        .limit(BATCH)
        .getMany();
      for (const endpoint of batch) await this.reEncryptOne(endpoint, active, result);
      if (batch.length < BATCH) break;
      after = batch.at(-1)!.id;
    }
    const { current, previous, ...others } = result;
    return { activeKeyId: active, reEncrypted: { current, previous }, ...others, remaining: await this.remaining(active) };
  }

  private async reEncryptOne(endpoint: Endpoint, active: string, result: ReEncryptCounts): Promise<void> {
    const changes: Partial<Pick<Endpoint, 'secretCiphertext' | 'secretKeyId' | 'previousSecretCiphertext' | 'previousSecretKeyId' | 'previousSecretExpiresAt'>> = {};
    let current = 0;
    let previous = 0;
    let dropped = 0;
    if (endpoint.secretKeyId !== active) {
      const sealed = this.reSeal({ keyId: endpoint.secretKeyId, ciphertext: endpoint.secretCiphertext });
      if (sealed) {
        Object.assign(changes, { secretCiphertext: sealed.ciphertext, secretKeyId: sealed.keyId });
        current = 1;
      } else {
        result.unreadable++;
      }
    }
    if (endpoint.previousSecretCiphertext !== null) {
      if (!endpoint.previousSecretExpiresAt || endpoint.previousSecretExpiresAt <= new Date()) {
        Object.assign(changes, { previousSecretCiphertext: null, previousSecretKeyId: null, previousSecretExpiresAt: null });
        dropped = 1;
      } else if (endpoint.previousSecretKeyId !== active) {
        const sealed = endpoint.previousSecretKeyId ? this.reSeal({ keyId: endpoint.previousSecretKeyId, ciphertext: endpoint.previousSecretCiphertext }) : null;
        if (sealed) {
          Object.assign(changes, { previousSecretCiphertext: sealed.ciphertext, previousSecretKeyId: sealed.keyId });
          previous = 1;
        } else {
          result.unreadable++;
        }
      }
    }
    if (Object.keys(changes).length === 0) return;
    const unchanged: FindOptionsWhere<Endpoint> = {
      id: endpoint.id,
      secretCiphertext: endpoint.secretCiphertext,
      previousSecretCiphertext: endpoint.previousSecretCiphertext ?? IsNull(),
    };
    const updated = await this.endpoints.update(unchanged, changes);
    if (!updated.affected) {
      result.changedConcurrently++;
      return;
    }
    result.current += current;
    result.previous += previous;
    result.expiredPreviousDropped += dropped;
  }

  /** The secret encrypted under the active key, or null if this keyring cannot decrypt it. */
  private reSeal(secret: EncryptedSecret): EncryptedSecret | null {
    try {
      return this.secrets.encrypt(this.secrets.decrypt(secret));
    } catch {
      return null;
    }
  }

  /** Secrets that still need a key other than the active one, by key id. */
  private async remaining(active: string): Promise<Record<string, number>> {
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
