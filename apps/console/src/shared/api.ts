// The REST API as the console and the portal use it: same origin (/api/v1), a bearer token, and
// the answers in Svix's shapes (apps/ingest/src/api/out.ts is the source of these types).

import { errorMessage } from './errors';

export interface Page<T> {
  data: T[];
  iterator: string | null;
  done: boolean;
}

/** An endpoint of the operator's own, which receives operational webhooks (Svix's OperationalWebhookEndpointOut). */
export interface OperationalEndpoint {
  id: string;
  url: string;
  description: string;
  uid: string | null;
  disabled: boolean;
  /** The operational event types it receives; null for all of them. */
  eventTypes: string[] | null;
  createdAt: string;
}

/** An endpoint's extra headers: the ones that carry credentials are only named (`sensitive`), their values never read back. */
export interface EndpointHeaders {
  headers: Record<string, string>;
  sensitive: string[];
}

/** A change of an endpoint's extra headers: set those given, remove those named in `deleteHeaders`. */
export interface EndpointHeadersChange {
  headers: Record<string, string>;
  deleteHeaders?: string[];
}

/** A FIFO endpoint's ordering key held by a failing message: it and the key's later messages wait. */
export interface HeldKey {
  orderingKey: string;
  /** The message at the head of the key, failing and retried. */
  blockedBy: string;
  /** Its first failed attempt since it last succeeded. */
  blockedSince: string | null;
  attempts: number;
  /** Null when nothing is scheduled: the endpoint is disabled. */
  nextAttempt: string | null;
  /** Open messages of the key behind it. */
  waiting: number;
}

export interface Application {
  id: string;
  uid: string | null;
  name: string;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  key: string;
  createdAt: string;
}

/** An API key as listed: never the key itself. */
export interface ApiKeySummary {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

/** Svix's AppPortalAccessOut: the portal's link (the token in its fragment) and the short-lived token. */
export interface PortalAccessLink {
  url: string;
  token: string;
}

export interface EventType {
  name: string;
  description: string;
  archived: boolean;
  schemas: Record<string, unknown> | null;
  createdAt: string;
}

export interface Endpoint {
  id: string;
  uid: string | null;
  url: string;
  description: string;
  throttleRate: number | null;
  disabled: boolean;
  eventTypes: string[] | null;
  channels: string[] | null;
  verificationRequired: boolean;
  verifiedAt: string | null;
  /** Why it is disabled (410 Gone, failing for too long, through the API); null while enabled or when not known. */
  disabledReason: string | null;
  /** Since when every attempt to it has failed; null while healthy. */
  failingSince: string | null;
  /** The payload filter (Convoy's syntax), null for none. */
  filter: Record<string, unknown> | null;
  /** fifo: the messages of each ordering key one at a time, in order. */
  ordering: 'none' | 'fifo';
  createdAt: string;
  updatedAt: string;
}

/** The fields a person edits; the rest keep their values (PATCH). */
export interface EndpointFields {
  url: string;
  description: string;
  eventTypes: string[] | null;
  channels: string[] | null;
  throttleRate: number | null;
  filter: Record<string, unknown> | null;
  ordering: 'none' | 'fifo';
}

export interface Message {
  id: string;
  eventType: string;
  eventId: string | null;
  channels: string[] | null;
  payload: Record<string, unknown>;
  /** The trace it came in with; null when none was recorded. */
  traceId: string | null;
  timestamp: string;
}

/** One span of a trace, placed on the trace's time line (GET .../msg/{id}/trace). */
export interface TraceSpan {
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  startTime: string;
  offsetMs: number;
  durationMs: number;
  error: boolean;
}

export interface MessageTrace {
  traceId: string;
  /** The operator's trace viewer (HOOKLINE_TRACE_LINK), or null. */
  link: string | null;
  /** null when the spans could not be read: `detail` says why. */
  spans: TraceSpan[] | null;
  detail: string | null;
}

/** Svix's delivery status of a message at one endpoint: 0 delivered, 1 pending (first attempt or a retry waiting), 2 failed for good. */
export type DeliveryStatus = 0 | 1 | 2;

/** A message as one endpoint's listing has it, with where it stands there. */
export interface EndpointMessage extends Message {
  status: DeliveryStatus;
  statusText: 'success' | 'pending' | 'fail';
  nextAttempt: string | null;
}

/** Svix's EndpointStats: attempts in the range (the last 24 h) by outcome, deliveries waiting now. */
export interface EndpointStats {
  success: number;
  fail: number;
  pending: number;
  /** Whether delivery's circuit breaker holds its deliveries back now. */
  circuitOpen: boolean;
}

export interface MessageIn {
  eventType: string;
  payload: Record<string, unknown>;
  eventId?: string;
  channels?: string[];
}

export interface Attempt {
  id: string;
  msgId: string;
  endpointId: string;
  url: string;
  /** The error, or else the first bytes of the response body. */
  response: string;
  /** 0 when no response came. */
  responseStatusCode: number;
  responseDurationMs: number;
  status: 0 | 2;
  statusText: 'success' | 'fail';
  /** 0 scheduled, 1 manual (resend, recover, replay). */
  triggerType: 0 | 1;
  /** The trace the attempt was made in; null when none was recorded. */
  traceId: string | null;
  timestamp: string;
}

export interface DeadLetter {
  msgId: string;
  endpointId: string;
  eventType: string;
  attempts: number;
  deadAt: string;
}

export interface DeadLetterFilter {
  endpointId?: string;
  since?: string;
  until?: string;
}

export interface MessageFilter {
  eventType?: string;
  channel?: string;
  after?: string;
  before?: string;
  /** Only the messages sent to this endpoint, each with where it stands there. */
  endpointId?: string;
  /** With an endpoint: only the messages in this delivery status there. */
  status?: `${DeliveryStatus}`;
}

/** One field a 422 refused, as the API names it. */
export interface Problem {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

/** The installation at a glance (GET /api/v1/stats/overview, admin token). */
export interface StatsOverview {
  since: string;
  until: string;
  bucket: string;
  buckets: Array<{ start: string; delivered: number; failed: number; dead: number }>;
  successRate: number | null;
  retryTiers: Array<{ tier: string; topic: string; waiting: number | null }>;
  deadLetters: number;
}

/** An answer that was not a success, in the API's own words. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
    readonly problems: Problem[],
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

const isProblem = (value: unknown): value is Problem =>
  typeof value === 'object' && value !== null && Array.isArray((value as Problem).loc) && typeof (value as Problem).msg === 'string';

/**
 * Reads an error answer: Svix's `{code, detail}`, or a 422's `{detail: [{loc, msg, type}]}` whose
 * every problem is named by its field (`body.url: at most 2048 characters`); anything else by its
 * status and the start of its text.
 */
export function failureOf(status: number, body: unknown): ApiFailure {
  if (typeof body === 'object' && body !== null) {
    const { code, detail } = body as { code?: unknown; detail?: unknown };
    if (Array.isArray(detail) && detail.every(isProblem)) {
      const message = detail.map((problem) => `${problem.loc.join('.')}: ${problem.msg}`).join('; ');
      return new ApiFailure(status, message || `HTTP ${status}`, typeof code === 'string' ? code : null, detail);
    }
    if (typeof detail === 'string') return new ApiFailure(status, detail, typeof code === 'string' ? code : null, []);
  }
  const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
  return new ApiFailure(status, text ? `HTTP ${status}: ${text}` : `HTTP ${status}`, null, []);
}

type Query = Record<string, string | number | undefined>;

/** The query string of the defined values, in order. */
export function queryString(query: Query): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

const segment = encodeURIComponent;

/** The message log's filters as the message listings take them (the payloads left out). */
const messageQuery = (filter: MessageFilter): Query => ({ event_types: filter.eventType, channel: filter.channel, after: filter.after, before: filter.before, with_content: 'false' });

/** How many rows a page of a listing asks for. */
export const PAGE_SIZE = 50;
/** The window of an endpoint's success rate: the API's own default is Svix's 28 days. */
const SUCCESS_RATE_WINDOW_MS = 24 * 3_600_000;

/** A client of /api/v1 holding one token; every call resolves to the answer's body or rejects with an ApiFailure. */
export function createApi(token: string) {
  async function request<T>(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`/api/v1${path}${queryString(options.query ?? {})}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch (error) {
      throw new ApiFailure(0, `Could not reach the API: ${errorMessage(error)}`, null, []);
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): kept as text for the message.
    }
    if (!response.ok) throw failureOf(response.status, body);
    return body as T;
  }

  const app = (appId: string) => `/app/${segment(appId)}`;
  const endpoint = (appId: string, endpointId: string) => `${app(appId)}/endpoint/${segment(endpointId)}`;

  return {
    applications: {
      list: (iterator?: string, search?: string) => request<Page<Application>>('GET', '/app', { query: { limit: PAGE_SIZE, iterator, search } }),
      get: (appId: string) => request<Application>('GET', app(appId)),
      create: (fields: { name: string; uid?: string }) => request<Application>('POST', '/app', { body: fields }),
      createApiKey: (appId: string, name: string) => request<ApiKey>('POST', `${app(appId)}/api-key`, { body: { name } }),
      apiKeys: (appId: string, iterator?: string) => request<Page<ApiKeySummary>>('GET', `${app(appId)}/api-key`, { query: { limit: PAGE_SIZE, iterator } }),
      /** Revokes the key at once: every request with it is refused from then on. */
      revokeApiKey: (appId: string, keyId: string) => request<null>('DELETE', `${app(appId)}/api-key/${segment(keyId)}`),
      /** A portal session for the application (expires, HOOKLINE_PORTAL_TOKEN_TTL) and the link that opens the portal with it. */
      portalAccess: (appId: string) => request<PortalAccessLink>('POST', `/auth/app-portal-access/${segment(appId)}`, { body: {} }),
      /** Ends every portal session of the application now: the links given out stop working. */
      expirePortalSessions: (appId: string) => request<null>('POST', `/auth/app/${segment(appId)}/expire-all`, { body: {} }),
    },
    eventTypes: {
      list: (iterator?: string) => request<Page<EventType>>('GET', '/event-type', { query: { limit: 250, iterator, with_content: 'true' } }),
      create: (fields: { name: string; description: string }) => request<EventType>('POST', '/event-type', { body: fields }),
    },
    endpoints: {
      list: (appId: string, iterator?: string) => request<Page<Endpoint>>('GET', `${app(appId)}/endpoint`, { query: { limit: PAGE_SIZE, iterator } }),
      get: (appId: string, endpointId: string) => request<Endpoint>('GET', endpoint(appId, endpointId)),
      create: (appId: string, fields: EndpointFields) => request<Endpoint>('POST', `${app(appId)}/endpoint`, { body: fields }),
      update: (appId: string, endpointId: string, fields: Partial<EndpointFields> & { disabled?: boolean }) =>
        request<Endpoint>('PATCH', endpoint(appId, endpointId), { body: fields }),
      delete: (appId: string, endpointId: string) => request<null>('DELETE', endpoint(appId, endpointId)),
      secret: (appId: string, endpointId: string) => request<{ key: string }>('GET', `${endpoint(appId, endpointId)}/secret`),
      rotateSecret: (appId: string, endpointId: string) => request<null>('POST', `${endpoint(appId, endpointId)}/secret/rotate`, { body: {} }),
      /** Sends the event type's example payload (its schemas' first example) to this endpoint alone. */
      sendExample: (appId: string, endpointId: string, eventType: string) => request<Message>('POST', `${endpoint(appId, endpointId)}/send-example`, { body: { eventType } }),
      recover: (appId: string, endpointId: string, since: string) => request<unknown>('POST', `${endpoint(appId, endpointId)}/recover`, { body: { since } }),
      attempts: (appId: string, endpointId: string, iterator?: string) =>
        request<Page<Attempt>>('GET', `${app(appId)}/attempt/endpoint/${segment(endpointId)}`, { query: { limit: PAGE_SIZE, iterator } }),
      /** Its attempts in the last 24 h by outcome (the success rate), and whether its circuit is open. */
      stats: (appId: string, endpointId: string) =>
        request<EndpointStats>('GET', `${endpoint(appId, endpointId)}/stats`, { query: { since: new Date(Date.now() - SUCCESS_RATE_WINDOW_MS).toISOString() } }),
      headers: (appId: string, endpointId: string) => request<EndpointHeaders>('GET', `${endpoint(appId, endpointId)}/headers`),
      changeHeaders: (appId: string, endpointId: string, change: EndpointHeadersChange) => request<null>('PATCH', `${endpoint(appId, endpointId)}/headers`, { body: change }),
      /** A FIFO endpoint's ordering keys held by a failing message. */
      heldKeys: (appId: string, endpointId: string, iterator?: string) =>
        request<Page<HeldKey>>('GET', `${endpoint(appId, endpointId)}/ordering`, { query: { limit: PAGE_SIZE, iterator } }),
      /** The messages sent to it, each with its delivery status there, filtered as the message log is. */
      messages: (appId: string, endpointId: string, filter: MessageFilter, iterator?: string) =>
        request<Page<EndpointMessage>>('GET', `${endpoint(appId, endpointId)}/msg`, { query: { limit: PAGE_SIZE, iterator, ...messageQuery(filter), status: filter.status } }),
    },
    messages: {
      list: (appId: string, filter: MessageFilter, iterator?: string) =>
        request<Page<Message>>('GET', `${app(appId)}/msg`, {
          query: { limit: PAGE_SIZE, iterator, ...messageQuery(filter) },
        }),
      /** By id or by the producer's eventId. */
      get: (appId: string, msgId: string) => request<Message>('GET', `${app(appId)}/msg/${segment(msgId)}`),
      create: (appId: string, message: MessageIn) => request<Message>('POST', `${app(appId)}/msg`, { body: message }),
      attempts: (appId: string, msgId: string, iterator?: string) =>
        request<Page<Attempt>>('GET', `${app(appId)}/attempt/msg/${segment(msgId)}`, { query: { limit: 250, iterator } }),
      resend: (appId: string, msgId: string, endpointId: string) => request<unknown>('POST', `${app(appId)}/msg/${segment(msgId)}/endpoint/${segment(endpointId)}/resend`),
      /** Removes its payload for good, keeping its metadata and attempts: the console's only (an app-portal token is refused). */
      expungeContent: (appId: string, msgId: string) => request<null>('DELETE', `${app(appId)}/msg/${segment(msgId)}/content`),
      /** Its traces with their spans: the console's only (an app-portal token is refused). */
      traces: (appId: string, msgId: string) => request<{ data: MessageTrace[] }>('GET', `${app(appId)}/msg/${segment(msgId)}/trace`),
    },
    stats: {
      overview: (range: { since?: string; until?: string; bucket?: string } = {}) => request<StatsOverview>('GET', '/stats/overview', { query: range }),
    },
    operationalWebhooks: {
      list: (iterator?: string) => request<Page<OperationalEndpoint>>('GET', '/operational-webhook/endpoint', { query: { limit: PAGE_SIZE, iterator } }),
      create: (fields: { url: string; description: string; eventTypes: string[] | null }) => request<OperationalEndpoint>('POST', '/operational-webhook/endpoint', { body: fields }),
      delete: (endpointId: string) => request<null>('DELETE', `/operational-webhook/endpoint/${segment(endpointId)}`),
      secret: (endpointId: string) => request<{ key: string }>('GET', `/operational-webhook/endpoint/${segment(endpointId)}/secret`),
    },
    /** The API's OpenAPI document, which the console reads what the API takes from (the operational event types). */
    document: () => request<unknown>('GET', '/openapi.json'),
    deadLetters: {
      list: (appId: string, filter: DeadLetterFilter, iterator?: string) =>
        request<Page<DeadLetter>>('GET', `${app(appId)}/dead-letter`, {
          query: { limit: PAGE_SIZE, iterator, endpoint_id: filter.endpointId, since: filter.since, until: filter.until },
        }),
      replay: (appId: string, selection: DeadLetterFilter & { msgIds?: string[] }) =>
        request<{ replayed: number }>('POST', `${app(appId)}/dead-letter/replay`, { body: selection }),
    },
  };
}

export type Api = ReturnType<typeof createApi>;
