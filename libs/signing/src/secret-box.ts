import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { SECRETS_KEY_BYTES, type Keyring } from './keyring.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A secret as stored: the id of the key that encrypted it, and the sealed bytes. */
export interface EncryptedSecret {
  keyId: string;
  /** base64url of `iv (12 bytes) | GCM auth tag (16 bytes) | encrypted UTF-8 plaintext`. */
  ciphertext: string;
}

/**
 * Encrypts endpoint secrets at rest with AES-256-GCM under a rotatable keyring: new secrets use
 * the active key, and every key still in the ring decrypts what it once encrypted. The key id is
 * authenticated as additional data, so a ciphertext relabelled with another key id (even one
 * with the same key material) fails to decrypt.
 */
export class SecretBox {
  readonly activeKeyId: string;
  private readonly keys = new Map<string, KeyObject>();

  constructor(keyring: Keyring) {
    for (const [id, key] of keyring.keys) {
      if (key.length !== SECRETS_KEY_BYTES) {
        throw new Error(`secrets key "${id}" must be ${SECRETS_KEY_BYTES} bytes, got ${key.length}`);
      }
      // A KeyObject holds its own copy, so later changes to the caller's buffers cannot leak in.
      this.keys.set(id, createSecretKey(key));
    }
    if (!this.keys.has(keyring.activeKeyId)) {
      throw new Error(`the active secrets key "${keyring.activeKeyId}" is not in the keyring`);
    }
    this.activeKeyId = keyring.activeKeyId;
  }

  encrypt(plaintext: string): EncryptedSecret {
    const keyId = this.activeKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keys.get(keyId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(keyId, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId, ciphertext: Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url') };
  }

  decrypt({ keyId, ciphertext }: EncryptedSecret): string {
    const key = this.keys.get(keyId);
    if (key === undefined) {
      throw new Error(`cannot decrypt secret: secrets key "${keyId}" is not in the keyring (was it removed too early?)`);
    }
    const sealed = Buffer.from(ciphertext, 'base64url');
    if (sealed.length < IV_BYTES + TAG_BYTES) {
      throw new Error(`cannot decrypt secret with key "${keyId}": ciphertext is truncated`);
    }
    const decipher = createDecipheriv(ALGORITHM, key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(keyId, 'utf8'));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new Error(`cannot decrypt secret with key "${keyId}": ciphertext was tampered with or belongs to another key`, {
        cause,
      });
    }
  }
}

/** An endpoint's sealed signing secrets, as stored (the endpoints table's columns). */
export interface SealedSigningSecrets {
  secretKeyId: string;
  secretCiphertext: string;
  previousSecretKeyId: string | null;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
}

/** The secrets that sign a delivery now: the current one, and the previous one during its rotation grace period. */
export function signingSecrets(box: SecretBox, sealed: SealedSigningSecrets, now = new Date()): string[] {
  const current = box.decrypt({ keyId: sealed.secretKeyId, ciphertext: sealed.secretCiphertext });
  const { previousSecretKeyId: keyId, previousSecretCiphertext: ciphertext, previousSecretExpiresAt: expiresAt } = sealed;
  return keyId && ciphertext && expiresAt && expiresAt > now ? [current, box.decrypt({ keyId, ciphertext })] : [current];
}

