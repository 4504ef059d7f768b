import type { Attempt } from '@hookline/database';
import { z } from 'zod';
import { answer, id, idIterator, listOf, listQuery, named, timestamp } from '../http/schemas.js';

export const attemptListQuery = listQuery.extend({
  status: z.coerce.number().int().min(0).max(3).optional(),
});
export type AttemptListQuery = z.infer<typeof attemptListQuery>;

/** Svix's MessageAttemptOut. An attempt is recorded once it ended: status 0 (success) or 2 (fail), never 1, 3 or 4. */
export const MessageAttemptOut = named(
  'MessageAttemptOut',
  z.object({
    id,
    msgId: id,
    endpointId: id,
    url: z.string(),
    /** The error, or else the first bytes of the response body. */
    response: z.string(),
    /** 0 when no response came (timeout, refused, blocked). */
    responseStatusCode: z.number().int(),
    responseDurationMs: z.number().int(),
    status: z.literal([0, 2]),
    statusText: z.enum(['success', 'fail']),
    /** 0 scheduled, 1 manual (resend, recover, replay). */
    triggerType: z.literal([0, 1]),
    timestamp,
  }),
);
export type MessageAttemptOut = z.output<typeof MessageAttemptOut>;
export const ListResponseMessageAttemptOut = listOf('ListResponseMessageAttemptOut', MessageAttemptOut, idIterator);

export const attemptOut = answer(MessageAttemptOut, (attempt: Attempt) => ({
  msgId: attempt.messageId,
  response: attempt.error ?? attempt.responseExcerpt,
  responseStatusCode: attempt.responseStatusCode ?? 0,
  status: attempt.succeeded ? 0 : 2,
  statusText: attempt.succeeded ? 'success' : 'fail',
  triggerType: attempt.trigger === 'manual' ? 1 : 0,
  timestamp: attempt.createdAt.toISOString(),
}) as const);

/** Svix's EmptyResponse (resend): the svix SDK parses a JSON body here. */
export const EmptyResponse = named('EmptyResponse', z.object({}));
