import { z } from 'zod';
import { eventTypeName, isoTimestamp } from '../common.js';

/** Key of `<prefix>.outcomes`: the message id, so every outcome of one message is on one partition, in order. */
export const outcomeKey = z.uuid();

/** Why a task ended without being delivered or dead-lettered. */
export const DISCARD_REASONS = ['endpoint-deleted', 'endpoint-disabled', 'endpoint-not-verified', 'endpoint-gone'] as const;

const common = {
  messageId: z.uuid(),
  /** The producer's own id of the message (`eventId`), null when it gave none. */
  eventId: z.string().nullable(),
  applicationId: z.uuid(),
  endpointId: z.uuid(),
  eventType: eventTypeName,
  /** `manual` for a resend, recover or replay, which starts a new delivery task with its own outcome. */
  trigger: z.enum(['scheduled', 'manual']),
  /** Attempts this delivery task made (HTTP requests sent), the last one included. */
  attempts: z.number().int().min(0),
  /** When the message was accepted. */
  acceptedAt: isoTimestamp,
  /** When the outcome became final. */
  at: isoTimestamp,
};

/**
 * Value of `<prefix>.outcomes`: the final outcome of one delivery task (one message, one
 * endpoint), written by delivery once the attempt or the dead letter is durable and before its
 * offset is committed. At-least-once: a record may repeat, and a later resend or replay of the same
 * message to the same endpoint adds a record of its own (the latest `at` is the current fate).
 */
export const outcomeRecord = z.discriminatedUnion('outcome', [
  z.strictObject({
    outcome: z.literal('delivered'),
    ...common,
    /** A delivery is an answered request: at least the one that succeeded. */
    attempts: z.number().int().min(1),
    /** The 2xx the endpoint answered. */
    statusCode: z.number().int().min(200).max(299),
    /** From acceptance to the endpoint's answer, in milliseconds. */
    latencyMs: z.number().int().min(0),
  }),
  z.strictObject({
    outcome: z.literal('dead'),
    ...common,
    /** The last attempt's error (or status and response excerpt), or why it was postponed past its window. */
    lastError: z.string().min(1),
  }),
  z.strictObject({
    outcome: z.literal('discarded'),
    ...common,
    /** The endpoint was deleted, disabled, is awaiting verification, or answered 410 Gone (and was disabled). */
    reason: z.enum(DISCARD_REASONS),
  }),
]);
export type OutcomeRecord = z.infer<typeof outcomeRecord>;
export type DiscardReason = (typeof DISCARD_REASONS)[number];
