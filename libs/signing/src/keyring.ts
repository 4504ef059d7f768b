import { randomBytes } from 'node:crypto';
import { decodeCanonicalBase64 } from './base64.js';

/** AES-256 keys. */
export const SECRETS_KEY_BYTES = 32;

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** The keys that encrypt secrets at rest, by id; new ciphertexts use the active one. */
export interface Keyring {
  activeKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/**
 * Parses `HOOKLINE_SECRETS_KEYS`, e.g. `k2:<base64 32 bytes>,k1:<base64 32 bytes>`. The first
 * entry is the active key; the others only decrypt what was written before a rotation. Errors
 * name entries by position and id, never by their key material.
 */
export function parseKeyring(env: string): Keyring {
  const entries = env
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) {
    throw new Error('HOOKLINE_SECRETS_KEYS has no keys: expected "id:<base64 32-byte key>", comma-separated');
  }

  const keys = new Map<string, Buffer>();
  entries.forEach((entry, index) => {
    const where = `HOOKLINE_SECRETS_KEYS entry ${index + 1}`;
    const separator = entry.indexOf(':');
    if (separator === -1) throw new Error(`${where} is not "id:<base64 key>"`);
    const id = entry.slice(0, separator);
    // An invalid id is not echoed: a mangled entry could hold key material there.
    if (!KEY_ID.test(id)) throw new Error(`${where}: the key id must match ${KEY_ID}`);
    if (keys.has(id)) throw new Error(`${where} ("${id}") repeats a key id`);
    const key = decodeCanonicalBase64(entry.slice(separator + 1));
    if (key?.length !== SECRETS_KEY_BYTES) {
      throw new Error(`${where} ("${id}"): the key must be standard base64 of exactly ${SECRETS_KEY_BYTES} bytes`);
    }
    keys.set(id, key);
  });
  // Maps iterate in insertion order, so this is the first entry's id.
  const [activeKeyId] = keys.keys();
  return { activeKeyId, keys };
}

/** A new `id:<base64 key>` entry for `HOOKLINE_SECRETS_KEYS`. */
export function generateKeyringEntry(id: string): string {
  if (!KEY_ID.test(id)) throw new Error(`key id must match ${KEY_ID}`);
  return `${id}:${randomBytes(SECRETS_KEY_BYTES).toString('base64')}`;
}
