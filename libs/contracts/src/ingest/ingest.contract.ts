import { z } from 'zod';
import { channelName, eventTypeName, jsonObject, orderingKey, refuseUnstorable, textStorageProblem } from '../common.js';

/** Largest message accepted: a record on `<prefix>.ingest`, and a request body of the API: 256 KiB. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** Key of `<prefix>.ingest`: the application's id or uid. */
export const ingestKey = z
  .string()
  .min(1)
  .max(256)
  .superRefine((key, context) => {
    const problem = textStorageProblem(key);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

/** A message's id given by its sender, unique in its application. */
export const messageEventId = z.string().min(1).max(256);
/** The channels a message goes on. */
export const messageChannels = z.array(channelName).min(1).max(10);

/**
 * The fields of a message create, defined once so that `<prefix>.ingest` and the API (which also
 * takes null for a field left out) accept the same messages.
 */
export const messageCreate = z.object({
  eventType: eventTypeName,
  payload: jsonObject,
  eventId: messageEventId.optional(),
  channels: messageChannels.optional(),
  orderingKey: orderingKey.optional(),
});

/** Value of `<prefix>.ingest`: a message create, with no other field, that PostgreSQL can store (as the API refuses what it cannot). */
export const ingestValue = z.strictObject(messageCreate.shape).superRefine(refuseUnstorable);
export type IngestValue = z.infer<typeof ingestValue>;

/** Header on `<prefix>.ingest.rejected` saying why the original message was refused. */
export const REJECTION_REASON_HEADER = 'hookline-rejection-reason';
