import { z } from 'zod';
import { isoTimestamp, refuseUnstorable } from '../common.js';

/** Svix's operational webhook event types, as operators subscribe to them. */
export const OPERATIONAL_EVENT_TYPES = [
  'endpoint.created',
  'endpoint.updated',
  'endpoint.deleted',
  'endpoint.disabled',
  'endpoint.enabled',
  'message.attempt.exhausted',
  'message.attempt.failing',
  'message.attempt.recovered',
] as const;
export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];

/**
 * `message.attempt.failing` is sent when this attempt of a delivery fails (Svix: "on the fourth
 * failure"), and `message.attempt.recovered` when a later attempt of the same delivery succeeds.
 */
export const FAILING_AT_ATTEMPT = 4;

/** Svix's EndpointCreatedEventData (and of updated, deleted, enabled): which endpoint of which application. */
const endpointData = z.strictObject({
  appId: z.string(),
  appUid: z.string().optional(),
  endpointId: z.string(),
  endpointUid: z.string().optional(),
});

/** Svix's EndpointDisabledEventData: by an API call (manual) or after failing too long, or a 410 Gone (automatic). */
const endpointDisabledData = endpointData.extend({
  failSince: isoTimestamp.optional(),
  trigger: z.enum(['manual', 'automatic']).optional(),
});

/** Svix's MessageAttemptFailedData: the attempt the event is about. */
const attemptData = z.strictObject({
  id: z.string(),
  /** 0 when no response came (timeout, refused, blocked), as in the attempt listing. */
  responseStatusCode: z.number().int(),
  timestamp: isoTimestamp,
});

/** Svix's MessageAttempt{Exhausted,Failing,Recovered}EventData. */
const messageAttemptData = z.strictObject({
  appId: z.string(),
  appUid: z.string().optional(),
  endpointId: z.string(),
  msgId: z.string(),
  msgEventId: z.string().optional(),
  lastAttempt: attemptData,
});

const event = <T extends OperationalEventType, D extends z.ZodType>(type: T, data: D) =>
  z.strictObject({
    /** Unique per fact: the operational message's eventId, so a fact reported twice is delivered once. */
    id: z.uuid(),
    type: z.literal(type),
    data,
  });

/**
 * An operational event: Svix's `{ type, data }` with an id. It is the value of
 * `<prefix>.operational` (keyed by application id), where delivery reports what it decided; ingest
 * turns each record, and each endpoint change it makes itself, into a message of the operational
 * application, whose endpoints receive `{ type, data }` signed like any webhook.
 */
export const operationalEvent = z.discriminatedUnion('type', [
  event('endpoint.created', endpointData),
  event('endpoint.updated', endpointData),
  event('endpoint.deleted', endpointData),
  event('endpoint.disabled', endpointDisabledData),
  event('endpoint.enabled', endpointData),
  event('message.attempt.exhausted', messageAttemptData),
  event('message.attempt.failing', messageAttemptData),
  event('message.attempt.recovered', messageAttemptData),
  // Its strings go into lookups and a message's payload: one with U+0000 written past delivery
  // would fail them (and the lookups batched with it) on every try.
]).superRefine(refuseUnstorable);
export type OperationalEvent = z.infer<typeof operationalEvent>;
export type OperationalEventData<T extends OperationalEventType> = Extract<OperationalEvent, { type: T }>['data'];

/** What an operational webhook endpoint receives: Svix's body, `{ type, data }`. */
export function operationalWebhookBody(event: OperationalEvent): { type: OperationalEventType; data: Record<string, unknown> } {
  return { type: event.type, data: event.data };
}
