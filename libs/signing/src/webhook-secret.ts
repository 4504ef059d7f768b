import { randomBytes } from 'node:crypto';
import { decodeCanonicalBase64 } from './base64.js';

const PREFIX = 'whsec_';
const MIN_BYTES = 24;
const MAX_BYTES = 64;

/** A new endpoint signing secret: `whsec_` followed by base64 of `bytes` random bytes. */
export function generateSecret(bytes = MIN_BYTES): string {
  if (!Number.isInteger(bytes) || bytes < MIN_BYTES || bytes > MAX_BYTES) {
    throw new Error(`webhook secret length must be an integer from ${MIN_BYTES} to ${MAX_BYTES} bytes, got ${bytes}`);
  }
  return PREFIX + randomBytes(bytes).toString('base64');
}

/**
 * The HMAC key of a `whsec_` secret. Like Svix, the prefix is required, so that a value pasted
 * into the wrong field fails here rather than producing signatures nobody can verify. Errors
 * never echo the secret.
 */
export function parseSecret(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) {
    throw new Error(`webhook secret must start with "${PREFIX}"`);
  }
  const key = decodeCanonicalBase64(secret.slice(PREFIX.length));
  if (key === undefined) {
    throw new Error(`webhook secret must be "${PREFIX}" followed by standard, padded base64`);
  }
  if (key.length < MIN_BYTES || key.length > MAX_BYTES) {
    throw new Error(`webhook secret must decode to ${MIN_BYTES} to ${MAX_BYTES} bytes, got ${key.length}`);
  }
  return key;
}
