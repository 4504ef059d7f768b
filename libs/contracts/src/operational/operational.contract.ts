import { z } from 'zod';
import { isoTimestamp } from '../common.js';

/** Value of `<prefix>.operational`: something an operator (or the tenant) should know. */
export const operationalEvent = z.strictObject({
  type: z.literal('endpoint.disabled'),
  applicationId: z.uuid(),
  endpointId: z.uuid(),
  reason: z.string(),
  at: isoTimestamp,
});
export type OperationalEvent = z.infer<typeof operationalEvent>;
