import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { parseSecret } from './webhook-secret.js';

export interface SignatureInput {
  /** The message id, unique per message and stable across retries so receivers can deduplicate. */
  id: string;
  /** When this attempt is sent; receivers reject timestamps far from their clock. */
  timestamp: Date;
  /** The exact body bytes that will be sent, as a string. */
  body: string;
  /**
   * Every active secret of the endpoint (during a rotation, the old and the new one): `whsec_`
   * strings, or the keys signingKey() made of them, which sign several times faster.
   */
  secrets: ReadonlyArray<string | KeyObject>;
}

/** The HMAC key of a `whsec_` secret, for signing many requests with it. */
export function signingKey(secret: string): KeyObject {
  return createSecretKey(parseSecret(secret));
}

export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * The Standard Webhooks headers for one delivery attempt. The signature header carries one
 * space-separated `v1,<base64 HMAC-SHA256>` entry per secret, and receivers accept the message
 * if any entry matches, so endpoints can rotate secrets without a window of failed deliveries.
 */
export function signatureHeaders({ id, timestamp, body, secrets }: SignatureInput): SignatureHeaders {
  if (id.length === 0) throw new Error('webhook id must not be empty');
  const seconds = Math.floor(timestamp.getTime() / 1000);
  if (!Number.isFinite(seconds)) throw new Error('webhook timestamp must be a valid Date');
  if (secrets.length === 0) throw new Error('at least one webhook secret is required to sign');

  const signedContent = `${id}.${seconds}.${body}`;
  const signatures = secrets.map(
    (secret) => `v1,${createHmac('sha256', typeof secret === 'string' ? parseSecret(secret) : secret).update(signedContent).digest('base64')}`,
  );
  return {
    'webhook-id': id,
    'webhook-timestamp': String(seconds),
    'webhook-signature': signatures.join(' '),
  };
}
