import { channelName, eventTypeName, jsonObject } from '@hookline/contracts';
import { z } from 'zod';

// Request bodies, in the svix SDK's (2.x) field names. Unknown fields are ignored, as Svix does.

const uid = z.string().min(1).max(256).regex(/^[a-zA-Z0-9\-_.]+$/, 'letters, digits, "-", "_" and "." only');
const metadata = z.record(z.string(), z.string());
const throttleRate = z.number().int().min(1).max(100_000).nullable();
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'a valid HTTP header name');

export const applicationIn = z.object({
  name: z.string().min(1).max(256),
  uid: uid.nullish(),
  throttleRate: throttleRate.optional(),
  metadata: metadata.optional(),
});
export const applicationPatch = applicationIn.partial();

export const eventTypeIn = z.object({
  name: eventTypeName,
  description: z.string().max(10_000),
  archived: z.boolean().optional(),
  deprecated: z.boolean().optional(),
  schemas: jsonObject.nullish(),
  featureFlag: z.string().max(256).nullish(),
});
export const eventTypePatch = eventTypeIn.omit({ name: true }).partial();

/** Largest request body (and record on the ingest topic) accepted: 256 KiB. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Longest endpoint URL accepted, in characters. */
export const MAX_URL_LENGTH = 2_048;

const webhookSecret = z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'a whsec_ secret: "whsec_" followed by base64');

export const endpointIn = z.object({
  url: z
    .string()
    .max(MAX_URL_LENGTH, `at most ${MAX_URL_LENGTH} characters`)
    .pipe(z.url({ protocol: /^https?$/, message: 'an absolute http:// or https:// URL' })),
  description: z.string().max(10_000).optional(),
  throttleRate: throttleRate.optional(),
  uid: uid.nullish(),
  disabled: z.boolean().optional(),
  eventTypes: z.array(eventTypeName).min(1).max(100).nullish(),
  channels: z.array(channelName).min(1).max(10).nullish(),
  secret: webhookSecret.nullish(),
  metadata: metadata.optional(),
  headers: z.record(headerName, z.string().max(4_096)).nullish(),
});
export const endpointPatch = endpointIn.omit({ secret: true }).partial();

/** Svix's EndpointSecretRotateIn: the new secret (generated when absent) and how long the old one still signs. */
export const secretRotateIn = z
  .object({
    key: webhookSecret.nullish(),
    gracePeriodSeconds: z.number().int().min(0).max(7 * 86_400).nullish(),
  })
  .optional();

export const messageIn = z.object({
  eventType: eventTypeName,
  payload: jsonObject,
  eventId: z.string().min(1).max(256).nullish(),
  channels: z.array(channelName).min(1).max(10).nullish(),
  /** Creates the application alongside the message when the path's id or uid is unknown. */
  application: applicationIn.nullish(),
});
export type MessageIn = z.infer<typeof messageIn>;

export const apiKeyIn = z.object({ name: z.string().min(1).max(256) });

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(250).default(50),
  iterator: z.string().max(512).nullish(),
  order: z.enum(['ascending', 'descending']).optional(),
});
export type ListQuery = z.infer<typeof listQuery>;

export const messageListQuery = listQuery.extend({
  channel: channelName.optional(),
  event_types: z.union([eventTypeName, z.array(eventTypeName)]).optional(),
  before: z.iso.datetime({ offset: true }).optional(),
  after: z.iso.datetime({ offset: true }).optional(),
  with_content: z.enum(['true', 'false']).default('true'),
});

export const attemptListQuery = listQuery.extend({
  status: z.coerce.number().int().min(0).max(3).optional(),
});

const timestamp = z.iso.datetime({ offset: true });

export const deadLetterQuery = listQuery.extend({
  endpoint_id: z.string().max(256).optional(),
  since: timestamp.optional(),
  until: timestamp.optional(),
});

/** Which dead letters to replay: all of the application's, narrowed by any of these. */
export const replayIn = z.object({
  endpointId: z.string().max(256).nullish(),
  msgIds: z.array(z.string().max(256)).min(1).max(1_000).nullish(),
  since: timestamp.nullish(),
  until: timestamp.nullish(),
});

export const recoverIn = z.object({ since: timestamp, until: timestamp.nullish() });
