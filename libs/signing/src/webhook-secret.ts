import { randomBytes } from 'node:crypto';
import { decodeCanonicalBase64 } from './base64.js';

const PREFIX = 'whsec_';
const MIN_BYTES = 24;
const MAX_BYTES = 64;

/**
 * The secrets parseSecret accepts, as one regular expression (so a JSON Schema can carry it):
 * canonical padded base64 of MIN_BYTES to MAX_BYTES bytes is n div 3 full quads, then for n mod 3
 * = 1 a tail `X?==` and for n mod 3 = 2 a tail `XX?=`, where the last character before the
 * padding leaves the unused bits zero.
 */
export const WEBHOOK_SECRET_PATTERN: RegExp = (() => {
  const quad = '[A-Za-z0-9+/]{4}';
  const tails = ['', '[A-Za-z0-9+/][AQgw]==', '[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]='];
  const alternatives = tails.map((tail, remainder) => {
    // The fewest and most full quads among the lengths with this remainder.
    const fewest = Math.floor((MIN_BYTES + ((remainder - MIN_BYTES) % 3 + 3) % 3) / 3);
    const most = Math.floor((MAX_BYTES - ((MAX_BYTES - remainder) % 3 + 3) % 3) / 3);
    return `(?:${quad}){${fewest},${most}}${tail}`;
  });
  return new RegExp(`^${PREFIX}(?:${alternatives.join('|')})$`);
})();

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
