import { channelName, eventTypeName } from '@hookline/contracts';
import type { Attempt, Endpoint, Message, MessageEndpoint } from '@hookline/database';
import { z } from 'zod';
import { EndpointOut, endpointOut } from '../endpoints/endpoints.schemas.js';
import { answer, id, idIterator, instant, listOf, listQuery, named, timestamp, traceId } from '../http/schemas.js';
import { MessageOut, messageOut } from '../messages/messages.schemas.js';

/**
 * Svix's MessageStatus: 0 success, 1 pending, 2 fail, 3 sending, 4 canceled. Hookline never
 * cancels, so Svix's `expanded_statuses` (whether 4 may be answered) changes nothing and is not read.
 */
export const messageStatus = z.enum(['0', '1', '2', '3', '4']).transform((status) => Number(status) as 0 | 1 | 2 | 3 | 4);
const STATUS_TEXT = { 0: 'success', 1: 'pending', 2: 'fail', 3: 'sending', 4: 'canceled' } as const;

const booleanQuery = z.enum(['true', 'false']);

/** The filters Svix's attempt and attempted-message listings share. */
const deliveryFilters = {
  status: messageStatus.optional(),
  channel: channelName.optional(),
  /** Hookline's messages carry no tags: a tag matches none. */
  tag: z.string().min(1).max(128).optional(),
  event_types: z.union([eventTypeName, z.array(eventTypeName)]).optional(),
  before: instant.optional(),
  after: instant.optional(),
  /** Without content, an attempt's response (or a message's payload) is left out, as the svix SDK 2 asks by default. */
  with_content: booleanQuery.default('true'),
};

export const attemptListQuery = listQuery.extend({
  ...deliveryFilters,
  /** Svix's StatusCodeClass: 0 for no response, else the hundred (100 ... 500). */
  status_code_class: z.enum(['0', '100', '200', '300', '400', '500']).transform(Number).optional(),
});
export type AttemptListQuery = z.infer<typeof attemptListQuery>;

export const attemptListByEndpointQuery = attemptListQuery.extend({ with_msg: booleanQuery.default('false') });
export type AttemptListByEndpointQuery = z.infer<typeof attemptListByEndpointQuery>;

export const attemptListByMessageQuery = attemptListQuery.extend({ endpoint_id: z.string().min(1).max(256).optional() });
export type AttemptListByMessageQuery = z.infer<typeof attemptListByMessageQuery>;

/**
 * Svix's deprecated listing of a message's attempts (`/msg/{msg_id}/attempt`): listByMsg's filters
 * without status_code_class, tag and with_content, which it predates; responses always included.
 */
export const deprecatedAttemptListQuery = attemptListByMessageQuery.omit({ status_code_class: true, tag: true, with_content: true });
export type DeprecatedAttemptListQuery = z.infer<typeof deprecatedAttemptListQuery>;

/** Svix's deprecated listing of a message's attempts to one endpoint, which its path names. */
export const deprecatedEndpointAttemptListQuery = deprecatedAttemptListQuery.omit({ endpoint_id: true });
export type DeprecatedEndpointAttemptListQuery = z.infer<typeof deprecatedEndpointAttemptListQuery>;

export const attemptedMessagesQuery = listQuery.extend(deliveryFilters);
export type AttemptedMessagesQuery = z.infer<typeof attemptedMessagesQuery>;

/** The event types a query names, as a list. */
export const eventTypesOf = (query: { event_types?: string | string[] }): string[] | undefined => (query.event_types === undefined ? undefined : [query.event_types].flat());

/** Svix's MessageAttemptOut. An attempt is recorded once it ended: status 0 (success) or 2 (fail), never 1, 3 or 4. */
export const MessageAttemptOut = named(
  'MessageAttemptOut',
  z.object({
    id,
    msgId: id,
    endpointId: id,
    url: z.string(),
    /** The error, or else the first bytes of the response body; "EXPUNGED" once expunged. */
    response: z.string(),
    /** 0 when no response came (timeout, refused, blocked). */
    responseStatusCode: z.number().int(),
    responseDurationMs: z.number().int(),
    status: z.literal([0, 2]),
    statusText: z.enum(['success', 'fail']),
    /** 0 scheduled, 1 manual (resend, recover, replay). */
    triggerType: z.literal([0, 1]),
    traceId,
    timestamp,
    /** The attempt's message without its payload, when listed `with_msg`. */
    msg: MessageOut.optional(),
  }),
);
export type MessageAttemptOut = z.output<typeof MessageAttemptOut>;
export const ListResponseMessageAttemptOut = listOf('ListResponseMessageAttemptOut', MessageAttemptOut, idIterator);

export const attemptOut = answer(MessageAttemptOut, (attempt: Attempt) => ({
  msgId: attempt.messageId,
  // What Svix answers once the response was expunged.
  response: attempt.responseExcerpt === null ? 'EXPUNGED' : (attempt.error ?? attempt.responseExcerpt),
  responseStatusCode: attempt.responseStatusCode ?? 0,
  status: attempt.succeeded ? 0 : 2,
  statusText: attempt.succeeded ? 'success' : 'fail',
  triggerType: attempt.trigger === 'manual' ? 1 : 0,
  timestamp: attempt.createdAt.toISOString(),
  msg: undefined,
}) as const);

/**
 * Where a message stands with an endpoint, in Svix's terms: delivered (0); pending (1) while it
 * waits for its first attempt or a retry; failed (2) once no attempt is left (dead-lettered, or
 * its endpoint answered 410 Gone).
 */
export function messageStatusOf(row: Pick<MessageEndpoint, 'status' | 'nextAttemptAt'>): 0 | 1 | 2 {
  if (row.status === 'succeeded') return 0;
  if (row.status === 'pending' || (row.status === 'failed' && row.nextAttemptAt !== null)) return 1;
  return 2;
}

const deliveryState = {
  status: z.literal([0, 1, 2]),
  statusText: z.enum(['success', 'pending', 'fail']),
  /** When the next attempt is due, while one is. */
  nextAttempt: timestamp.nullable(),
};
const stateOf = (row: MessageEndpoint) => {
  const status = messageStatusOf(row);
  return { status, statusText: STATUS_TEXT[status], nextAttempt: status === 1 ? (row.nextAttemptAt?.toISOString() ?? null) : null };
};

/** Svix's EndpointMessageOut: a message attempted at an endpoint, with where it stands there. */
export const EndpointMessageOut = named('EndpointMessageOut', MessageOut.extend(deliveryState));
export type EndpointMessageOut = z.output<typeof EndpointMessageOut>;
export const ListResponseEndpointMessageOut = listOf('ListResponseEndpointMessageOut', EndpointMessageOut, idIterator);
export const endpointMessageOut = (row: MessageEndpoint & { message: Message }): EndpointMessageOut => ({ ...messageOut(row.message), ...stateOf(row) });

/** Svix's MessageEndpointOut: an endpoint a message was sent to, with where the message stands there. */
export const MessageEndpointOut = named(
  'MessageEndpointOut',
  EndpointOut.pick({ id: true, uid: true, url: true, description: true, throttleRate: true, disabled: true, eventTypes: true, channels: true, createdAt: true, updatedAt: true }).extend(deliveryState),
);
export type MessageEndpointOut = z.output<typeof MessageEndpointOut>;
export const ListResponseMessageEndpointOut = listOf('ListResponseMessageEndpointOut', MessageEndpointOut, idIterator);
export const messageEndpointOut = (row: MessageEndpoint & { endpoint: Endpoint }): MessageEndpointOut => {
  const { id, uid, url, description, throttleRate, disabled, eventTypes, channels, createdAt, updatedAt } = endpointOut(row.endpoint);
  return { id, uid, url, description, throttleRate, disabled, eventTypes, channels, createdAt, updatedAt, ...stateOf(row) };
};

/** Svix's EmptyResponse (resend): the svix SDK parses a JSON body here. */
export const EmptyResponse = named('EmptyResponse', z.object({}));

