import { z } from 'zod';
import { channelName, eventTypeName, isoTimestamp, jsonObject, orderingKey, refuseUnstorable } from '../common.js';

/** Key of `<prefix>.events`: the application id, so one tenant's events share a partition. */
export const eventKey = z.uuid();

/** Value of `<prefix>.events`: a message that has been accepted and persisted. */
export const eventValue = z.strictObject({
  messageId: z.uuid(),
  applicationId: z.uuid(),
  eventType: eventTypeName,
  eventId: z.string().nullable(),
  channels: z.array(channelName),
  payload: jsonObject,
  createdAt: isoTimestamp,
  orderingKey: orderingKey.optional(),
}).superRefine(refuseUnstorable);
export type EventValue = z.infer<typeof eventValue>;
