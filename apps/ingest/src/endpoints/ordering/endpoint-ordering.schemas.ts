import { z } from 'zod';
import { id, listOf, named, timestamp } from '../../http/schemas.js';

export const heldKeysQuery = z.object({
  limit: z.coerce.number().int().min(1).max(250).default(50),
  /** The last ordering key of the page before. */
  iterator: z.string().min(1).max(256).optional(),
});
export type HeldKeysQuery = z.infer<typeof heldKeysQuery>;

/** An ordering key held by a message that failed: it and every later message of the key wait for it. */
export const HeldKeyOut = named(
  'HeldKeyOut',
  z.object({
    orderingKey: z.string(),
    /** The message at the head of the key, which failed and is being retried. */
    blockedBy: id,
    /** Its first failed attempt since it last succeeded. */
    blockedSince: timestamp.nullable(),
    attempts: z.number().int(),
    /** When it is tried next; null when nothing is scheduled (its endpoint answered 410 and was disabled). */
    nextAttempt: timestamp.nullable(),
    /** Open messages of the key behind it. */
    waiting: z.number().int(),
  }),
);
export type HeldKeyOut = z.output<typeof HeldKeyOut>;
export const ListResponseHeldKeyOut = listOf('ListResponseHeldKeyOut', HeldKeyOut, z.string(), 'forward only');
