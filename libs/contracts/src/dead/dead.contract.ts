import { z } from 'zod';
import { isoTimestamp } from '../common.js';
import { deliveryTask } from '../deliveries/delivery.contract.js';

/** Value of `<prefix>.dead`: the task that ran out of time, and why. */
export const deadLetter = z.strictObject({
  task: deliveryTask,
  deadAt: isoTimestamp,
  lastError: z.string(),
});
export type DeadLetter = z.infer<typeof deadLetter>;
