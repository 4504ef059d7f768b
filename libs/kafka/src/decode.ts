import type { Logger } from '@hookline/logging';
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
 * The value of a record on a topic only Hookline's own services write, or undefined when it
 * breaks its contract: such a record cannot have been written by them, so it is logged with its
 * problem and skipped rather than retried forever.
 */
export function decodeOrSkip<S extends z.ZodType>(record: ConsumedMessage, schema: S, logger: Pick<Logger, 'error'>, what: string): z.output<S> | undefined {
  const decoded = decodeValue(record, schema);
  if (decoded.ok) return decoded.value;
  logger.error({ topic: record.topic, offset: record.offset, problem: decoded.problem }, `unreadable ${what} skipped`);
  return undefined;
}
