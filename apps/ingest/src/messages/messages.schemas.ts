import { channelName, eventTypeName, jsonObject, messageChannels, messageCreate, messageEventId, orderingKey, storageProblems } from '@hookline/contracts';
import type { Message } from '@hookline/database';
import { z } from 'zod';
import { applicationIn } from '../applications/applications.schemas.js';
import { answer, id, idIterator, instant, listOf, listQuery, named, timestamp, traceId } from '../http/schemas.js';

// The svix SDK sends null for a field left out.
export const messageIn = messageCreate.extend({
  eventId: messageEventId.nullish(),
  channels: messageChannels.nullish(),
  // Hookline's own (the svix SDK ignores it): a FIFO endpoint receives one key's messages in order.
  orderingKey: orderingKey.nullish(),
  /** Creates the application alongside the message when the path's id or uid is unknown. */
  application: applicationIn.nullish(),
});
export type MessageIn = z.infer<typeof messageIn>;

export const messageListQuery = listQuery.extend({
  channel: channelName.optional(),
  event_types: z.union([eventTypeName, z.array(eventTypeName)]).optional(),
  before: instant.optional(),
  after: instant.optional(),
  with_content: z.enum(['true', 'false']).default('true'),
});
export type MessageListQuery = z.infer<typeof messageListQuery>;

export const MessageOut = named(
  'MessageOut',
  z.object({ id, eventType: eventTypeName, eventId: z.string().nullable(), channels: z.array(z.string()).nullable(), orderingKey: z.string().nullable(), traceId, payload: jsonObject, timestamp }),
);
export type MessageOut = z.output<typeof MessageOut>;
export const ListResponseMessageOut = listOf('ListResponseMessageOut', MessageOut, idIterator);

/** A message read without its payload, for an answer that leaves it out: {} stands in for it, as Svix answers. */
export const withoutPayload = (message: Message): Message => ({ ...message, payload: {} });

/** What an expunged message answers as its payload, as Svix does. */
export const EXPUNGED_PAYLOAD = Object.freeze({ expired: true });

/**
 * The payload as stored, unless it breaks today's limits (stored before they existed: nested too
 * deep to serialize again), in which case a notice stands in for it, so that the answer, and the
 * rest of a listing, can still be written; `{"expired": true}` once expunged.
 */
function shownPayload(payload: Record<string, unknown> | null): Record<string, unknown> {
  if (payload === null) return EXPUNGED_PAYLOAD;
  const [problem] = storageProblems(payload, 1);
  return problem ? { $unreadable: `payload not shown (stored before Hookline refused such payloads): ${problem.message}` } : payload;
}

export const messageOut = answer(MessageOut, (message: Message) => ({
  channels: message.channels.length > 0 ? message.channels : null,
  payload: shownPayload(message.payload),
  timestamp: message.createdAt.toISOString(),
}));

/** Svix's MessagePrecheckIn: would a message of this type, on these channels, go anywhere? */
export const messagePrecheckIn = z.object({ eventType: eventTypeName, channels: messageChannels.nullish() });
export type MessagePrecheckIn = z.infer<typeof messagePrecheckIn>;

export const MessagePrecheckOut = named('MessagePrecheckOut', z.object({ active: z.boolean() }));
export type MessagePrecheckOut = z.output<typeof MessagePrecheckOut>;
