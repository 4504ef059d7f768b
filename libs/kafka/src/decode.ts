import type { z } from 'zod';
import type { ConsumedMessage } from './consumer/kafka-server.base.js';

export type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Parses a record's value as JSON against its contract; a problem names the offending fields. */
export function decodeValue<S extends z.ZodType>(record: ConsumedMessage, schema: S): Decoded<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(record.value?.toString('utf8') ?? '');
  } catch (error) {
    return { ok: false, problem: `value: not JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    problem: parsed.error.issues.map((issue) => `value.${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '),
  };
}

/**
 * A record on a topic only Hookline's own services write that breaks its contract. It cannot have
 * been written by them, so retrying it would change nothing: the consumer transport logs it with
 * its problem and moves on.
 */
export class UnreadableRecord extends Error {
  constructor(
    readonly what: string,
    readonly problem: string,
  ) {
    super(`unreadable ${what}: ${problem}`);
    this.name = 'UnreadableRecord';
  }
}

/** The value of a record on a topic only Hookline's own services write; `what` names it ("delivery task") if it is an UnreadableRecord. */
export function decodeContract<S extends z.ZodType>(record: ConsumedMessage, schema: S, what: string): z.output<S> {
  const decoded = decodeValue(record, schema);
  if (decoded.ok) return decoded.value;
  throw new UnreadableRecord(what, decoded.problem);
}
