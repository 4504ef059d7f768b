import { eventTypeName, jsonObject } from '@hookline/contracts';
import type { Application, Attempt, Endpoint, EventType, Message, MessageEndpoint } from '@hookline/database';
import { z } from 'zod';
import { deadLetterIterator, idIterator, webhookSecret } from './schemas.js';

// Response bodies in the svix SDK's (2.x) field names (its models are the contract), each a zod
// schema that the OpenAPI document describes (components.schemas, by these names) and whose
// output type the mapper below must produce, so the document and the answers cannot drift.

/** Named response schemas: the OpenAPI document lists each under components.schemas. */
export const responses = z.registry<{ id: string }>();
const named = <T extends z.ZodType>(id: string, schema: T): T => {
  responses.add(schema, { id });
  return schema;
};

const id = z.uuid();
const timestamp = z.iso.datetime({ offset: true });
const metadata = z.record(z.string(), z.string());

/** A page of a listing, in Svix's shape; `iterator` is what the next page's `iterator` takes. */
const listOf = (name: string, item: z.ZodType, iterator: z.ZodString) =>
  named(name, z.object({ data: z.array(item), iterator: iterator.nullable(), prevIterator: z.null(), done: z.boolean() }));

export const ApplicationOut = named(
  'ApplicationOut',
  z.object({
    id,
    uid: z.string().nullable(),
    name: z.string(),
    throttleRate: z.number().int().nullable(),
    metadata,
    createdAt: timestamp,
    updatedAt: timestamp,
  }),
);
export const ListResponseApplicationOut = listOf('ListResponseApplicationOut', ApplicationOut, idIterator);

export const applicationOut = (app: Application): z.output<typeof ApplicationOut> => ({
  id: app.id,
  uid: app.uid,
  name: app.name,
  throttleRate: app.rateLimit,
  metadata: app.metadata,
  createdAt: app.createdAt.toISOString(),
  updatedAt: app.updatedAt.toISOString(),
});

/** Hookline's own: an API key scoped to one application; `key` is shown only in this answer. */
export const ApiKeyOut = named('ApiKeyOut', z.object({ id, name: z.string(), key: z.string(), createdAt: timestamp }));

export const EventTypeOut = named(
  'EventTypeOut',
  z.object({
    name: eventTypeName,
    description: z.string(),
    archived: z.boolean(),
    deprecated: z.boolean(),
    schemas: jsonObject.nullable(),
    featureFlag: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  }),
);
export const ListResponseEventTypeOut = listOf('ListResponseEventTypeOut', EventTypeOut, eventTypeName);

export const eventTypeOut = (type: EventType): z.output<typeof EventTypeOut> => ({
  name: type.name,
  description: type.description,
  archived: type.archived,
  deprecated: false,
  schemas: type.schemas as Record<string, unknown> | null,
  featureFlag: type.featureFlag,
  createdAt: type.createdAt.toISOString(),
  updatedAt: type.updatedAt.toISOString(),
});

export const EndpointOut = named(
  'EndpointOut',
  z.object({
    id,
    uid: z.string().nullable(),
    url: z.string(),
    description: z.string(),
    version: z.number().int(),
    throttleRate: z.number().int().nullable(),
    disabled: z.boolean(),
    eventTypes: z.array(z.string()).nullable(),
    channels: z.array(z.string()).nullable(),
    metadata,
    // Hookline's own (the svix SDK ignores them): whether the endpoint must pass the verification
    // handshake before it receives events, and when it last did.
    verificationRequired: z.boolean(),
    verifiedAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  }),
);
export const ListResponseEndpointOut = listOf('ListResponseEndpointOut', EndpointOut, idIterator);

export const endpointOut = (endpoint: Endpoint): z.output<typeof EndpointOut> => ({
  id: endpoint.id,
  uid: endpoint.uid,
  url: endpoint.url,
  description: endpoint.description,
  version: endpoint.version,
  throttleRate: endpoint.rateLimit,
  disabled: endpoint.disabled,
  eventTypes: endpoint.eventTypes,
  channels: endpoint.channels,
  metadata: endpoint.metadata,
  verificationRequired: endpoint.verificationRequired,
  verifiedAt: endpoint.verifiedAt?.toISOString() ?? null,
  createdAt: endpoint.createdAt.toISOString(),
  updatedAt: endpoint.updatedAt.toISOString(),
});

export const EndpointSecretOut = named('EndpointSecretOut', z.object({ key: webhookSecret }));

/** Hookline's own: the outcome of POST .../verify (the verification handshake). */
export const EndpointVerifyOut = named(
  'EndpointVerifyOut',
  z.object({
    verificationRequired: z.boolean(),
    verified: z.boolean(),
    verifiedAt: timestamp.nullable(),
    /** The status the endpoint answered, or null when it could not be reached. */
    statusCode: z.number().int().nullable(),
    /** Why the handshake failed; null when it passed. */
    error: z.string().nullable(),
  }),
);

export const MessageOut = named(
  'MessageOut',
  z.object({
    id,
    eventType: eventTypeName,
    eventId: z.string().nullable(),
    channels: z.array(z.string()).nullable(),
    payload: jsonObject,
    timestamp,
  }),
);
export const ListResponseMessageOut = listOf('ListResponseMessageOut', MessageOut, idIterator);

export const messageOut = (message: Message, withContent = true): z.output<typeof MessageOut> => ({
  id: message.id,
  eventType: message.eventType,
  eventId: message.eventId,
  channels: message.channels.length > 0 ? message.channels : null,
  payload: withContent ? message.payload : {},
  timestamp: message.createdAt.toISOString(),
});

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
export const ListResponseMessageAttemptOut = listOf('ListResponseMessageAttemptOut', MessageAttemptOut, idIterator);

export const attemptOut = (attempt: Attempt): z.output<typeof MessageAttemptOut> => ({
  id: attempt.id,
  msgId: attempt.messageId,
  endpointId: attempt.endpointId,
  url: attempt.url,
  response: attempt.error ?? attempt.responseExcerpt,
  responseStatusCode: attempt.responseStatusCode ?? 0,
  responseDurationMs: attempt.responseDurationMs,
  status: attempt.succeeded ? 0 : 2,
  statusText: attempt.succeeded ? 'success' : 'fail',
  triggerType: attempt.trigger === 'manual' ? 1 : 0,
  timestamp: attempt.createdAt.toISOString(),
});

/** Hookline's own: a delivery whose retry window ran out. */
export const DeadLetterOut = named(
  'DeadLetterOut',
  z.object({ msgId: id, endpointId: id, eventType: eventTypeName, attempts: z.number().int(), deadAt: timestamp }),
);
export const ListResponseDeadLetterOut = listOf('ListResponseDeadLetterOut', DeadLetterOut, deadLetterIterator);

/** A dead letter, from its status row with the message joined. */
export const deadLetterOut = (status: MessageEndpoint & { message: Message }): z.output<typeof DeadLetterOut> => ({
  msgId: status.messageId,
  endpointId: status.endpointId,
  eventType: status.message.eventType,
  attempts: status.attemptCount,
  deadAt: (status.lastAttemptAt ?? status.updatedAt).toISOString(),
});

export const ReplayOut = named('ReplayOut', z.object({ replayed: z.number().int().min(0) }));

/** Svix's RecoverOut: the recovery is done by the time the answer leaves, so its task has finished. */
export const RecoverOut = named('RecoverOut', z.object({ id, status: z.literal('finished'), task: z.literal('endpoint.recover'), updatedAt: timestamp }));

/** Svix's EmptyResponse (resend): the svix SDK parses a JSON body here. */
export const EmptyResponse = named('EmptyResponse', z.object({}));

export const ReEncryptOut = named(
  'ReEncryptOut',
  z.object({
    activeKeyId: z.string(),
    reEncrypted: z.object({ current: z.number().int().min(0), previous: z.number().int().min(0) }),
    expiredPreviousDropped: z.number().int().min(0),
    unreadable: z.number().int().min(0),
    changedConcurrently: z.number().int().min(0),
    /** Secrets still under another key than the active one, by key id. */
    remaining: z.record(z.string(), z.number().int().min(1)),
  }),
);

/** A page of a listing, as its schema describes it. */
export type ListOut<T extends z.ZodType> = { data: Array<z.output<T>>; iterator: string | null; prevIterator: null; done: boolean };
