import { eventTypeName } from '@hookline/contracts';
import { z } from 'zod';

/** Svix's EventExampleIn: which example of the event type's schemas to send. */
export const eventExampleIn = z.object({
  eventType: eventTypeName,
  exampleIndex: z.number().int().min(0).max(1_000).optional(),
});
export type EventExampleIn = z.infer<typeof eventExampleIn>;
