import { channelName, eventTypeName, jsonObject } from '@hookline/contracts';
import { WEBHOOK_SECRET_PATTERN } from '@hookline/signing';
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

/** Longest endpoint URL accepted, in characters. */
export const MAX_URL_LENGTH = 2_048;

/** A `whsec_` secret of 24 to 64 bytes in canonical padded base64: the pattern is parseSecret's rule exactly. */
export const webhookSecret = z.string().regex(WEBHOOK_SECRET_PATTERN, 'a whsec_ secret: "whsec_" followed by the padded base64 of 24 to 64 bytes');

// An endpoint URL is an absolute RFC 3986 URI with an http or https scheme: a DNS name (its last
// label starting with a letter, and no "--", so no punycode that might not decode), a dotted IPv4
// or a bracketed IPv6 address, no credentials, a port up to 65535, then path, query and fragment
// of URI characters (others percent-encoded, international host names in punycode). Every URL
// the pattern matches, the WHATWG parser (z.url) takes too.
const h16 = '[0-9A-Fa-f]{1,4}';
const octet = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const ipv4 = `${octet}(?:\\.${octet}){3}`;
const ls32 = `(?:${h16}:${h16}|${ipv4})`;
// RFC 3986's IPv6address: the groups before "::" (at most `before`) and the groups after it.
const ipv6 = [
  `(?:${h16}:){6}${ls32}`,
  ...[5, 4, 3, 2, 1, 0].map((after, index) => `${index === 0 ? '' : `(?:(?:${h16}:){0,${index - 1}}${h16})?`}::(?:${h16}:){${after}}${ls32}`),
  `(?:(?:${h16}:){0,5}${h16})?::${h16}`,
  `(?:(?:${h16}:){0,6}${h16})?::`,
].join('|');
const label = '[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*';
const host = `(?:${ipv4}|\\[(?:${ipv6})\\]|(?:${label}\\.)*[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)`;
const port = '(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)';
const uriCharacter = "(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})";
export const URL_PATTERN = new RegExp(`^[Hh][Tt][Tt][Pp][Ss]?://${host}(?::${port})?(?:/${uriCharacter}*)?(?:\\?(?:${uriCharacter}|\\?)*)?(?:#(?:${uriCharacter}|\\?)*)?$`);

/** Validated by the pattern and by the WHATWG parser (an http or https scheme); the document says format, pattern and length. */
const endpointUrl = z
  .string()
  .max(MAX_URL_LENGTH, `at most ${MAX_URL_LENGTH} characters`)
  .regex(URL_PATTERN, 'an absolute http:// or https:// URI: other characters percent-encoded, international host names in punycode, no credentials')
  .pipe(z.url({ protocol: /^https?$/, message: 'an absolute http:// or https:// URL' }))
  .meta({ format: 'uri', description: `An absolute http:// or https:// URI, at most ${MAX_URL_LENGTH} characters` });

export const endpointIn = z.object({
  url: endpointUrl,
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
/** PUT replaces the endpoint: the url is required, every other field falls back to its default. */
export const endpointPut = endpointPatch.required({ url: true });

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

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/**
 * An RFC 3339 time, taken as the instant it names: PostgreSQL refuses offsets beyond ±15:59,
 * which RFC 3339 allows up to ±23:59, so the handler gets a Date rather than the text.
 */
const timestamp = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

/** The iterator of a listing ordered by UUIDv7 id: the last id of the page before. */
export const idIterator = z.string().regex(new RegExp(`^${UUID}$`), 'not an iterator returned by this API (a UUID)');

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(250).default(50),
  iterator: idIterator.optional(),
  order: z.enum(['ascending', 'descending']).optional(),
});
export type ListQuery = z.infer<typeof listQuery>;

/** Event types are listed by name, and the iterator is the last name of the page before. */
export const eventTypeListQuery = listQuery.extend({
  iterator: eventTypeName.optional(),
  include_archived: z.enum(['true', 'false']).default('false'),
});

export const messageListQuery = listQuery.extend({
  channel: channelName.optional(),
  event_types: z.union([eventTypeName, z.array(eventTypeName)]).optional(),
  before: timestamp.optional(),
  after: timestamp.optional(),
  with_content: z.enum(['true', 'false']).default('true'),
});

export const attemptListQuery = listQuery.extend({
  status: z.coerce.number().int().min(0).max(3).optional(),
});

/** Dead letters are listed by (message id, endpoint id); the iterator is the last pair of the page before. */
export const deadLetterIterator = z.string().regex(new RegExp(`^${UUID}:${UUID}$`), 'not an iterator returned by this API ("<message id>:<endpoint id>")');

export const deadLetterQuery = listQuery.extend({
  iterator: deadLetterIterator.optional(),
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
