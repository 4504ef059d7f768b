import type { Endpoint } from '@hookline/database';
import { type EncryptedSecret, SecretBox } from '@hookline/signing';
import { Injectable } from '@nestjs/common';
import { EndpointSecretsRepository, type SecretColumns } from '../endpoints/secrets/endpoint-secrets.repository.js';
import type { ReEncryptOut } from './secrets-re-encrypt.schemas.js';

/** Endpoints read per query. */
const BATCH = 200;

interface ReEncryptCounts {
  current: number;
  previous: number;
  expiredPreviousDropped: number;
  unreadable: number;
  changedConcurrently: number;
}

/**
 * Rotation of the key that encrypts endpoint secrets at rest (HOOKLINE_SECRETS_KEYS): put the
 * new key first and keep the old one after it, restart, call re-encrypt until `remaining` is
 * empty, then drop the old key.
 */
@Injectable()
export class SecretsReEncryptService {
  constructor(
    private readonly secrets: EndpointSecretsRepository,
    private readonly box: SecretBox,
  ) {}

  /**
   * Re-encrypts under the active key every endpoint secret (current, and previous during its
   * grace period) that another key encrypted; drops previous secrets whose grace has ended.
   * Each row is changed only if no one changed it meanwhile (a rotation), so nothing is lost.
   */
  async reEncrypt(): Promise<ReEncryptOut> {
    const active = this.box.activeKeyId;
    const result: ReEncryptCounts = { current: 0, previous: 0, expiredPreviousDropped: 0, unreadable: 0, changedConcurrently: 0 };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const batch = await this.secrets.needingReEncryption(active, after, BATCH);
      for (const endpoint of batch) await this.reEncryptOne(endpoint, active, result);
      if (batch.length < BATCH) break;
      after = batch.at(-1)!.id;
    }
    const { current, previous, ...others } = result;
    return { activeKeyId: active, reEncrypted: { current, previous }, ...others, remaining: await this.secrets.remainingByKey(active) };
  }

  private async reEncryptOne(endpoint: Endpoint, active: string, result: ReEncryptCounts): Promise<void> {
    const changes: SecretColumns = {};
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
    if (!(await this.secrets.replaceIfUnchanged(endpoint, changes))) {
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
      return this.box.encrypt(this.box.decrypt(secret));
    } catch {
      return null;
    }
  }
}
