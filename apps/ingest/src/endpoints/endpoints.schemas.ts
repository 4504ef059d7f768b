import { isDeepStrictEqual } from 'node:util';
import { channelName, eventTypeName } from '@hookline/contracts';
import { type Endpoint, ENDPOINT_ORDERINGS } from '@hookline/database';
import { customHeaderProblem, HEADER_PATTERNS, MAX_CUSTOM_HEADERS, MAX_HEADER_VALUE_LENGTH } from '@hookline/egress';
import { WEBHOOK_SECRET_PATTERN } from '@hookline/signing';
import { z } from 'zod';
import { payloadFilter } from '../filters/filters.schemas.js';
import { answer, id, idIterator, listOf, metadata, named, throttleRate, timestamp, timestamps, uid } from '../http/schemas.js';

/** A `whsec_` secret of 24 to 64 bytes in canonical padded base64: the pattern is parseSecret's rule exactly. */
export const webhookSecret = z.string().regex(WEBHOOK_SECRET_PATTERN, 'a whsec_ secret: "whsec_" followed by the padded base64 of 24 to 64 bytes');

/** Longest endpoint URL accepted, in characters. */
const MAX_URL_LENGTH = 2_048;

// An endpoint URL is an absolute RFC 3986 URI with an http or https scheme: a DNS name (letters,
// digits and hyphens inside labels, its last label starting with a letter; international names in
// punycode, such as xn--nxasmq6b.com), a dotted IPv4 or a bracketed IPv6 address, no credentials,
// a port up to 65535, then path, query and fragment of URI characters (others percent-encoded).
// Every URL the pattern matches, the WHATWG parser (z.url) takes too.
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
const label = '[A-Za-z0-9]+(?:-+[A-Za-z0-9]+)*';
const host = `(?:${ipv4}|\\[(?:${ipv6})\\]|(?:${label}\\.)*[A-Za-z][A-Za-z0-9]*(?:-+[A-Za-z0-9]+)*)`;
const port = '(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)';
const uriCharacter = "(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})";
const URL_PATTERN = new RegExp(`^[Hh][Tt][Tt][Pp][Ss]?://${host}(?::${port})?(?:/${uriCharacter}*)?(?:\\?(?:${uriCharacter}|\\?)*)?(?:#(?:${uriCharacter}|\\?)*)?$`);

/** Validated by the pattern and by the WHATWG parser (an http or https scheme); the document says format, pattern and length. */
const endpointUrl = z
  .string()
  .max(MAX_URL_LENGTH, `at most ${MAX_URL_LENGTH} characters`)
  .regex(URL_PATTERN, 'an absolute http:// or https:// URI: other characters percent-encoded, international host names in punycode, no credentials')
  .pipe(z.url({ protocol: /^https?$/, message: 'an absolute http:// or https:// URL' }))
  .meta({ format: 'uri', description: `An absolute http:// or https:// URI, at most ${MAX_URL_LENGTH} characters` });

export const headerName = z.string().regex(new RegExp(HEADER_PATTERNS.name), 'a valid HTTP header name');

/**
 * Each header that cannot be sent as a 422 at [name] (customHeaderProblem's rule). A null value (a
 * removal) has its name checked, as has a value too long, whose length zod has reported already.
 */
function checkHeaders(headers: Record<string, string | null>, context: z.RefinementCtx<Record<string, string | null>>): void {
  for (const [name, value] of Object.entries(headers)) {
    const problem = customHeaderProblem(name, value === null || value.length > MAX_HEADER_VALUE_LENGTH ? '' : value);
    if (problem) context.addIssue({ code: 'custom', path: [name], message: problem });
  }
}

/** The rules as the document states them: names, and values (their length is in the pattern, which a maxLength beside it would make schemathesis' generation crawl). */
const HEADER_NAMES = { pattern: HEADER_PATTERNS.name, not: { pattern: HEADER_PATTERNS.forbiddenName } };
const HEADER_VALUE = { type: 'string', pattern: HEADER_PATTERNS.value, description: `Visible ASCII, spaces and tabs only between other characters, at most ${MAX_HEADER_VALUE_LENGTH} characters` };
const headerValue = z.string().max(MAX_HEADER_VALUE_LENGTH, `at most ${MAX_HEADER_VALUE_LENGTH} characters`);

/**
 * The extra headers an endpoint's deliveries carry: the one rule for them, wherever they are set
 * (an endpoint's create, PUT and PATCH, and its headers' PUT and PATCH, which checks the headers
 * it leaves). Tokens for names, visible ASCII for values, and none of the headers that frame the
 * request or manage the connection (customHeaderProblem in @hookline/egress, which delivery
 * applies too). Each bad one is a 422 at ['body', 'headers', name]; more than MAX_CUSTOM_HEADERS,
 * a 422 at ['body', 'headers'].
 */
export const endpointHeaders = z
  .record(z.string(), headerValue)
  .superRefine(checkHeaders)
  .refine((headers) => Object.keys(headers).length <= MAX_CUSTOM_HEADERS, `at most ${MAX_CUSTOM_HEADERS} headers`)
  .meta({ propertyNames: HEADER_NAMES, additionalProperties: HEADER_VALUE, maxProperties: MAX_CUSTOM_HEADERS });

/**
 * Headers to set, or to remove (null), by the same rule: a header no endpoint may have is not
 * named here (one stored before the rule is removed through deleteHeaders).
 */
export const endpointHeadersChange = z
  .record(z.string(), headerValue.nullable())
  .superRefine(checkHeaders)
  .meta({ propertyNames: HEADER_NAMES, additionalProperties: { anyOf: [HEADER_VALUE, { type: 'null' }] } });

/** Svix's EndpointIn as the svix SDK sends it, and the open-source server's names for two of its fields. */
export const endpointFields = z.object({
  url: endpointUrl,
  description: z.string().max(10_000).optional(),
  throttleRate: throttleRate.optional(),
  uid: uid.nullish(),
  disabled: z.boolean().optional(),
  eventTypes: z.array(eventTypeName).min(1).max(100).nullish(),
  channels: z.array(channelName).min(1).max(10).nullish(),
  secret: webhookSecret.nullish(),
  metadata: metadata.optional(),
  headers: endpointHeaders.nullish(),
  // Hookline's own (the svix SDK ignores it): only events whose payload passes it are delivered here; null for none.
  filter: payloadFilter.nullish(),
  // Hookline's own: `fifo` delivers the messages of each ordering key one at a time, in order (docs/adr/0012).
  ordering: z.enum(ENDPOINT_ORDERINGS).optional(),
  /** The open-source Svix server's name for eventTypes, which programs written for it send. */
  filterTypes: z.array(eventTypeName).min(1).max(100).nullish(),
  /** The open-source Svix server's name for throttleRate. */
  rateLimit: throttleRate.optional(),
});

/** One of the open-source server's names, sent along with Hookline's: both must say the same. */
function aliased<V>(context: z.RefinementCtx, [alias, aliasValue]: [string, V | undefined], [name, value]: [string, V | undefined]): V | undefined {
  if (aliasValue === undefined) return value;
  if (value !== undefined && !isDeepStrictEqual(value, aliasValue)) {
    context.addIssue({ code: 'custom', path: [alias], params: { type: 'alias_conflict' }, message: `"${alias}" (the open-source Svix server's name for "${name}") and "${name}" differ: send one of them` });
  }
  return aliasValue;
}

/**
 * The open-source Svix server's `filterTypes` and `rateLimit` become `eventTypes` and
 * `throttleRate`, the svix SDK's names, which are all the rest reads. Dropped as unknown fields,
 * an old client's `filterTypes` would have subscribed its endpoint to every event type.
 */
const svixServerNames = <T extends { eventTypes?: string[] | null; filterTypes?: string[] | null; throttleRate?: number | null; rateLimit?: number | null }>(
  { filterTypes, rateLimit, ...body }: T,
  context: z.RefinementCtx,
): Omit<T, 'filterTypes' | 'rateLimit'> => {
  const eventTypes = aliased(context, ['filterTypes', filterTypes], ['eventTypes', body.eventTypes]);
  const throttle = aliased(context, ['rateLimit', rateLimit], ['throttleRate', body.throttleRate]);
  return { ...body, ...(eventTypes !== undefined && { eventTypes }), ...(throttle !== undefined && { throttleRate: throttle }) };
};

export const endpointIn = endpointFields.transform(svixServerNames);
export type EndpointIn = z.infer<typeof endpointIn>;

export const endpointPatch = endpointFields.omit({ secret: true }).partial().transform(svixServerNames);
export type EndpointPatch = z.infer<typeof endpointPatch>;

/** PUT replaces the endpoint: the url is required, every other field falls back to its default. */
export const endpointPut = endpointFields.omit({ secret: true }).partial().required({ url: true }).transform(svixServerNames);
export type EndpointPut = z.infer<typeof endpointPut>;

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
    // Hookline's own: why it is disabled (null while enabled, or when not known), and since when
    // every attempt to it has failed (null while healthy; a long run of failures disables it).
    disabledReason: z.string().nullable(),
    failingSince: timestamp.nullable(),
    filter: z.record(z.string(), z.unknown()).nullable(),
    ordering: z.enum(ENDPOINT_ORDERINGS),
    ...timestamps,
  }),
);
export type EndpointOut = z.output<typeof EndpointOut>;
export const ListResponseEndpointOut = listOf('ListResponseEndpointOut', EndpointOut, idIterator);

export const endpointOut = answer(EndpointOut, (endpoint: Endpoint) => ({ throttleRate: endpoint.rateLimit }));
