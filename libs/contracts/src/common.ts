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

/**
 * Any JSON object; the payload of an event. Checked, not rebuilt: the value comes out as it went
 * in, so a key such as `"__proto__"` (an own property of what JSON.parse returns) is kept, where
 * a rebuilt record would drop it or turn it into the object's prototype. The document describes
 * it as an object with any properties.
 */
export const jsonObject = z
  .unknown()
  // Aborts like a type error: the checks of what holds it (an event type's schemas) never see a non-object.
  .refine((value) => typeof value === 'object' && value !== null && !Array.isArray(value), { message: 'expected a JSON object', abort: true })
  .meta({ type: 'object', additionalProperties: {} }) as unknown as z.ZodType<Record<string, unknown>>;

export const isoTimestamp = z.iso.datetime({ offset: true });

/**
 * How deep a JSON document Hookline takes may nest (objects and arrays; the document itself is
 * level 1): as deep as serde_json, and so Svix, parses by default. Deeper documents are refused at
 * the door: Node's JSON.stringify overflows its stack from about 4,000 levels, PostgreSQL's jsonb
 * from about 10,000, and every service serializes the payload again.
 */
export const MAX_JSON_DEPTH = 128;

/** What a 422 (or a rejected ingest record) says of text holding U+0000, which PostgreSQL's text and jsonb cannot store. */
export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';
/** ... of text holding half of a surrogate pair alone (such as the JSON escape `\ud800`), which is not Unicode and which PostgreSQL cannot store. */
export const UNPAIRED_SURROGATE_MESSAGE = 'must not contain an unpaired UTF-16 surrogate (such as "\\ud800"): it is not Unicode text, and PostgreSQL cannot store it';
/** ... of an object or array nested deeper than MAX_JSON_DEPTH. */
export const TOO_DEEP_MESSAGE = `must not nest objects and arrays deeper than ${MAX_JSON_DEPTH} levels`;

/** Why a value cannot be stored as it is, and where: the path of a key ends with the key itself. */
export interface StorageProblem {
  path: Array<string | number>;
  type: 'nul_character' | 'unpaired_surrogate' | 'too_deep';
  message: string;
}

function textProblem(text: string): Pick<StorageProblem, 'type' | 'message'> | null {
  if (text.includes('\u0000')) return { type: 'nul_character', message: NUL_MESSAGE };
  if (!text.isWellFormed()) return { type: 'unpaired_surrogate', message: UNPAIRED_SURROGATE_MESSAGE };
  return null;
}

/**
 * Everything within `value` (a parsed JSON document) that PostgreSQL could not store, or that
 * Hookline could not serialize again, in document order, the first `limit` of them: strings and
 * object keys holding U+0000 or an unpaired surrogate, and each object or array nested deeper
 * than MAX_JSON_DEPTH (not looked into further). The one check of the API (bodies, queries,
 * paths) and of the ingest topic, so both refuse the same records. Iterative, and each path is
 * built only when found, so that a body nested as deep as its size allows costs time in
 * proportion to its size.
 */
export function storageProblems(value: unknown, limit = 100): StorageProblem[] {
  interface Node {
    value: unknown;
    key: string | number | null;
    parent: Node | null;
    depth: number;
  }
  const pathOf = (node: Node): Array<string | number> => {
    const path: Array<string | number> = [];
    for (let at: Node | null = node; at && at.key !== null; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const found: StorageProblem[] = [];
  const report = (node: Node, problem: Pick<StorageProblem, 'type' | 'message'> | null) => {
    if (problem && found.length < limit) found.push({ path: pathOf(node), ...problem });
  };
  // Depth first, in document order: a stack, children pushed last first.
  const pending: Node[] = [{ value, key: null, parent: null, depth: 0 }];
  for (let node = pending.pop(); node && found.length < limit; node = pending.pop()) {
    const item = node.value;
    if (typeof node.key === 'string') report(node, textProblem(node.key));
    if (typeof item === 'string') {
      report(node, textProblem(item));
    } else if (item !== null && typeof item === 'object') {
      const depth = node.depth + 1;
      if (depth > MAX_JSON_DEPTH) {
        report(node, { type: 'too_deep', message: TOO_DEEP_MESSAGE });
        continue;
      }
      if (Array.isArray(item)) {
        for (let index = item.length - 1; index >= 0; index--) pending.push({ value: item[index], key: index, parent: node, depth });
      } else {
        const entries = Object.entries(item);
        for (let index = entries.length - 1; index >= 0; index--) pending.push({ value: entries[index]![1], key: entries[index]![0], parent: node, depth });
      }
    }
  }
  return found;
}

/**
 * A refinement (`.superRefine(refuseUnstorable)`) adding an issue at its path for each thing
 * storageProblems finds in the value. Part of the contract of every topic that carries a
 * payload: ingest rejects such a record, and fanout and delivery, which a producer writing to
 * Hookline's own topics (or an older ingest) can reach past ingest, skip it as unreadable.
 * Otherwise it would fail PostgreSQL or JSON.stringify on every try and hold its partition.
 */
export function refuseUnstorable(value: unknown, context: z.RefinementCtx): void {
  for (const { path, message } of storageProblems(value)) context.addIssue({ code: 'custom', path, message });
}

/** The problem of one piece of text (a Kafka key, a header), as storageProblems finds them. */
export function textStorageProblem(text: string): string | null {
  return textProblem(text)?.message ?? null;
}

/**
 * Header of an event or a delivery task that may repeat one sent before: ingest emitted the
 * message again not knowing whether its first emit went through (the outbox relay, an ingest-topic
 * record read again), or fanout or retry made it from a record they read again after a rebalance
 * or a crash. It travels on to the tasks made of it, and delivery looks for the attempt's earlier
 * success before it sends such a task, as for a task it reads again itself (docs/adr/0024).
 */
export const REPEAT_HEADER = 'hookline-repeat';
