import { z } from 'zod';

/** Event type names as Svix accepts them: letters, digits, `.`, `_`, `-`. */
export const eventTypeName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[a-zA-Z0-9\-_.]+$/, 'letters, digits, "-", "_" and "." only');

export const channelName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-zA-Z0-9\-_.:]+$/, 'letters, digits, "-", "_", "." and ":" only');

/**
 * A producer's ordering key (Hookline's `orderingKey`): a FIFO endpoint receives the messages of
 * one key one at a time, in order. Visible ASCII, since it travels in a request header.
 */
export const orderingKey = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7E]+$/, 'visible ASCII characters, no spaces');

/** Any JSON object; the payload of an event. */
export const jsonObject = z.record(z.string(), z.unknown());

export const isoTimestamp = z.iso.datetime({ offset: true });

/** What a 422 (or a rejected ingest record) says of text holding U+0000, which PostgreSQL's text and jsonb cannot store. */
export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

/**
 * The path of each string, and each object key, within `value` that holds U+0000 (the path of a
 * key ends with the key itself), in document order, the first `limit` of them. Iterative, and
 * each path is built only when found, so that a body nested as deep as its size allows costs
 * time in proportion to its size.
 */
export function pathsWithNul(value: unknown, limit = 100): Array<Array<string | number>> {
  interface Node {
    value: unknown;
    key: string | number | null;
    parent: Node | null;
  }
  const pathOf = (node: Node): Array<string | number> => {
    const path: Array<string | number> = [];
    for (let at: Node | null = node; at && at.key !== null; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const found: Array<Array<string | number>> = [];
  // Depth first, in document order: a stack, children pushed last first.
  const pending: Node[] = [{ value, key: null, parent: null }];
  for (let node = pending.pop(); node && found.length < limit; node = pending.pop()) {
    const item = node.value;
    if (typeof node.key === 'string' && node.key.includes('\u0000')) found.push(pathOf(node));
    if (found.length >= limit) break;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) found.push(pathOf(node));
    } else if (Array.isArray(item)) {
      for (let index = item.length - 1; index >= 0; index--) pending.push({ value: item[index], key: index, parent: node });
    } else if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item);
      for (let index = entries.length - 1; index >= 0; index--) pending.push({ value: entries[index]![1], key: entries[index]![0], parent: node });
    }
  }
  return found;
}
