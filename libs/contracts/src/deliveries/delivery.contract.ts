import { z } from 'zod';
import { eventTypeName, isoTimestamp, jsonObject, refuseUnstorable } from '../common.js';

/** Key of `<prefix>.deliveries` and of every retry tier: the endpoint id. */
export const deliveryKey = z.uuid();

/** Value of `<prefix>.deliveries`: one attempt to make, of one message, to one endpoint. */
export const deliveryTask = z.strictObject({
  messageId: z.uuid(),
  applicationId: z.uuid(),
  endpointId: z.uuid(),
  eventType: eventTypeName,
  /**
   * The producer's own id of the message (its `eventId`), for the outcome record and the
   * operational webhooks; tasks written before it existed have none.
   */
  eventId: z.string().nullable().default(null),
  payload: jsonObject,
  /** When the event was accepted: the start of the end-to-end latency. */
  acceptedAt: isoTimestamp,
  /** 1 for the first attempt; counts every attempt of this task. */
  attempt: z.number().int().min(1),
  /** When attempt 1 was made; the 48-hour window runs from here. Null before the first attempt. */
  firstAttemptAt: isoTimestamp.nullable(),
  trigger: z.enum(['scheduled', 'manual']),
  /**
   * Set when the message was routed to a FIFO endpoint: the ordering key ('' for a message without
   * one). Such a task is claimed before it is sent (docs/adr/0012).
   */
  orderingKey: z.string().max(256).optional(),
}).superRefine(refuseUnstorable);
export type DeliveryTask = z.infer<typeof deliveryTask>;

/** The first attempt's task for one message and one endpoint; fanout and manual resends alike. */
export function firstDeliveryTask(
  message: { messageId: string; applicationId: string; eventType: string; eventId: string | null; payload: Record<string, unknown>; acceptedAt: string },
  endpointId: string,
  trigger: DeliveryTask['trigger'],
  orderingKey?: string,
): DeliveryTask {
  const { messageId, applicationId, eventType, eventId, payload, acceptedAt } = message;
  const task: DeliveryTask = { messageId, applicationId, endpointId, eventType, eventId, payload, acceptedAt, attempt: 1, firstAttemptAt: null, trigger };
  return orderingKey === undefined ? task : { ...task, orderingKey };
}
