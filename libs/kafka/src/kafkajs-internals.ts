import { createRequire } from 'node:module';

/** The kafkajs release whose internals Hookline adjusts (ADR 21, ADR 22); another one is left as it is. */
export const ADJUSTED_KAFKAJS_VERSION = '2.2.4';

const require = createRequire(import.meta.url);

/**
 * A module inside kafkajs (`path` under its package, e.g. `src/network/requestQueue/index.js`),
 * or null when the kafkajs installed is not the release the adjustments were written for.
 */
export function kafkajsInternal<T>(path: string): T | null {
  const { version } = require('kafkajs/package.json') as { version: string };
  return version === ADJUSTED_KAFKAJS_VERSION ? (require(`kafkajs/${path}`) as T) : null;
}
