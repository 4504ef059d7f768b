import { z } from 'zod';
import { named } from '../http/schemas.js';

const count = z.number().int().min(0);

export const ReEncryptOut = named(
  'ReEncryptOut',
  z.object({
    activeKeyId: z.string(),
    reEncrypted: z.object({ current: count, previous: count }),
    expiredPreviousDropped: count,
    unreadable: count,
    changedConcurrently: count,
    /** Secrets still under another key than the active one, by key id. */
    remaining: z.record(z.string(), z.number().int().min(1)),
  }),
);
export type ReEncryptOut = z.output<typeof ReEncryptOut>;
