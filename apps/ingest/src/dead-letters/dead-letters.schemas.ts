import { eventTypeName } from '@hookline/contracts';
import type { Message, MessageEndpoint } from '@hookline/database';
import { z } from 'zod';
import { answer, id, instant, listOf, listQuery, named, reversibleIterator, timestamp, UUID_PATTERN } from '../http/schemas.js';

/** Dead letters are listed by (message id, endpoint id), which an iterator joins with ":". */
const deadLetterIterator = reversibleIterator(`${UUID_PATTERN}:${UUID_PATTERN}`, '"<message id>:<endpoint id>"');

export const deadLetterQuery = listQuery.extend({
  iterator: deadLetterIterator.optional(),
  endpoint_id: z.string().max(256).optional(),
  since: instant.optional(),
  until: instant.optional(),
});
export type DeadLetterQuery = z.infer<typeof deadLetterQuery>;

/** Which dead letters to replay: all of the application's, narrowed by any of these. */
export const replayIn = z.object({
  endpointId: z.string().max(256).nullish(),
  msgIds: z.array(z.string().max(256)).min(1).max(1_000).nullish(),
  since: instant.nullish(),
  until: instant.nullish(),
});
export type ReplayIn = z.infer<typeof replayIn>;

export const recoverIn = z.object({ since: instant, until: instant.nullish() });
export type RecoverIn = z.infer<typeof recoverIn>;

/** Hookline's own: a delivery whose retry window ran out. */
export const DeadLetterOut = named(
  'DeadLetterOut',
  z.object({ msgId: id, endpointId: id, eventType: eventTypeName, attempts: z.number().int(), deadAt: timestamp }),
);
export type DeadLetterOut = z.output<typeof DeadLetterOut>;
export const ListResponseDeadLetterOut = listOf('ListResponseDeadLetterOut', DeadLetterOut, deadLetterIterator);

/** A dead letter, from its status row with the message joined. */
export const deadLetterOut = answer(DeadLetterOut, (status: MessageEndpoint & { message: Message }) => ({
  msgId: status.messageId,
  eventType: status.message.eventType,
  attempts: status.attemptCount,
  deadAt: (status.lastAttemptAt ?? status.updatedAt).toISOString(),
}));

export const ReplayOut = named('ReplayOut', z.object({ replayed: z.number().int().min(0) }));
export type ReplayOut = z.output<typeof ReplayOut>;

/** Svix's RecoverOut: the recovery is done by the time the answer leaves, so its task has finished. */
export const RecoverOut = named('RecoverOut', z.object({ id, status: z.literal('finished'), task: z.literal('endpoint.recover'), updatedAt: timestamp }));
export type RecoverOut = z.output<typeof RecoverOut>;
