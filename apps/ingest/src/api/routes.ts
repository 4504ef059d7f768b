import type { z } from 'zod';
import * as out from './out.js';
import {
  apiKeyIn,
  applicationIn,
  applicationPatch,
  attemptListQuery,
  deadLetterQuery,
  endpointIn,
  endpointPatch,
  endpointPut,
  eventTypeIn,
  eventTypeListQuery,
  eventTypePatch,
  listQuery,
  messageIn,
  messageListQuery,
  recoverIn,
  replayIn,
  secretRotateIn,
} from './schemas.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Operation {
  method: Method;
  /** The path in the document, its parameters named as in Svix's API (`{app_id}`). */
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Status of a successful answer. */
  status: number;
  /** Schema of a successful answer's body (none for a 204). */
  response?: z.ZodType;
  /** Only the admin token may call it: an application's key gets a 403. */
  admin?: true;
  /** Needs no token. */
  public?: true;
}

/** The route parameters of the controllers, by the names the document (and so each 422's loc) gives them. */
export const PATH_PARAMETERS: Readonly<Record<string, string>> = { appId: 'app_id', endpointId: 'endpoint_id', msgId: 'msg_id', name: 'event_type_name' };

/**
 * The operations of /api/v1: the one route table that the OpenAPI document is built from and
 * that answers 405 to the other methods of each path. Bodies, queries and answers are the zod
 * schemas that validate them (schemas.ts) and that the answers are typed by (out.ts).
 */
export const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/api/v1/health', summary: 'Health', status: 204, public: true },
  { method: 'post', path: '/api/v1/app', summary: 'Create application (admin)', body: applicationIn, status: 201, response: out.ApplicationOut, admin: true },
  { method: 'get', path: '/api/v1/app', summary: 'List applications', query: listQuery, status: 200, response: out.ListResponseApplicationOut },
  { method: 'get', path: '/api/v1/app/{app_id}', summary: 'Get application by id or uid', status: 200, response: out.ApplicationOut },
  { method: 'put', path: '/api/v1/app/{app_id}', summary: 'Update application', body: applicationIn, status: 200, response: out.ApplicationOut },
  { method: 'patch', path: '/api/v1/app/{app_id}', summary: 'Patch application', body: applicationPatch, status: 200, response: out.ApplicationOut },
  { method: 'delete', path: '/api/v1/app/{app_id}', summary: 'Delete application (admin)', status: 204, admin: true },
  {
    method: 'post',
    path: '/api/v1/app/{app_id}/api-key',
    summary: 'Create an API key scoped to the application (admin); the key is shown once',
    body: apiKeyIn,
    status: 201,
    response: out.ApiKeyOut,
    admin: true,
  },
  { method: 'post', path: '/api/v1/event-type', summary: 'Create event type (admin)', body: eventTypeIn, status: 201, response: out.EventTypeOut, admin: true },
  { method: 'get', path: '/api/v1/event-type', summary: 'List event types', query: eventTypeListQuery, status: 200, response: out.ListResponseEventTypeOut },
  { method: 'get', path: '/api/v1/event-type/{event_type_name}', summary: 'Get event type (archived ones too)', status: 200, response: out.EventTypeOut },
  { method: 'put', path: '/api/v1/event-type/{event_type_name}', summary: 'Update event type (admin)', body: eventTypePatch, status: 200, response: out.EventTypeOut, admin: true },
  { method: 'patch', path: '/api/v1/event-type/{event_type_name}', summary: 'Patch event type (admin)', body: eventTypePatch, status: 200, response: out.EventTypeOut, admin: true },
  { method: 'delete', path: '/api/v1/event-type/{event_type_name}', summary: 'Archive event type (admin); it stays readable, with archived: true', status: 204, admin: true },
  { method: 'post', path: '/api/v1/app/{app_id}/endpoint', summary: 'Create endpoint', body: endpointIn, status: 201, response: out.EndpointOut },
  { method: 'get', path: '/api/v1/app/{app_id}/endpoint', summary: 'List endpoints', query: listQuery, status: 200, response: out.ListResponseEndpointOut },
  { method: 'get', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Get endpoint by id or uid', status: 200, response: out.EndpointOut },
  { method: 'put', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Update endpoint', body: endpointPut, status: 200, response: out.EndpointOut },
  { method: 'patch', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Patch endpoint', body: endpointPatch, status: 200, response: out.EndpointOut },
  { method: 'delete', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Delete endpoint', status: 204 },
  { method: 'get', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret', summary: "Get the endpoint's signing secret", status: 200, response: out.EndpointSecretOut },
  {
    method: 'post',
    path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret/rotate',
    summary: 'Rotate the signing secret; the previous one keeps signing for a grace period (HOOKLINE_SECRET_ROTATION_GRACE or gracePeriodSeconds)',
    body: secretRotateIn,
    status: 204,
  },
  {
    method: 'post',
    path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/verify',
    summary: 'Run the endpoint verification handshake again (Hookline)',
    status: 200,
    response: out.EndpointVerifyOut,
  },
  { method: 'post', path: '/api/v1/app/{app_id}/msg', summary: 'Send a message (409 for a repeated eventId)', body: messageIn, status: 202, response: out.MessageOut },
  { method: 'get', path: '/api/v1/app/{app_id}/msg', summary: 'List messages', query: messageListQuery, status: 200, response: out.ListResponseMessageOut },
  { method: 'get', path: '/api/v1/app/{app_id}/msg/{msg_id}', summary: 'Get message by id or eventId', status: 200, response: out.MessageOut },
  {
    method: 'get',
    path: '/api/v1/app/{app_id}/attempt/msg/{msg_id}',
    summary: 'List attempts of a message',
    query: attemptListQuery,
    status: 200,
    response: out.ListResponseMessageAttemptOut,
  },
  {
    method: 'get',
    path: '/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}',
    summary: 'List attempts to an endpoint',
    query: attemptListQuery,
    status: 200,
    response: out.ListResponseMessageAttemptOut,
  },
  {
    method: 'post',
    path: '/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend',
    summary: 'Send a message to an endpoint again',
    status: 202,
    response: out.EmptyResponse,
  },
  {
    method: 'post',
    path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/recover',
    summary: 'Send again every message that failed on the endpoint since a time',
    body: recoverIn,
    status: 202,
    response: out.RecoverOut,
  },
  { method: 'get', path: '/api/v1/app/{app_id}/dead-letter', summary: 'List dead letters (Hookline)', query: deadLetterQuery, status: 200, response: out.ListResponseDeadLetterOut },
  {
    method: 'post',
    path: '/api/v1/app/{app_id}/dead-letter/replay',
    summary: 'Replay dead letters with a fresh retry schedule (Hookline)',
    body: replayIn,
    status: 202,
    response: out.ReplayOut,
  },
  {
    method: 'post',
    path: '/api/v1/admin/secrets/re-encrypt',
    summary: 'Re-encrypt every endpoint secret under the active key of HOOKLINE_SECRETS_KEYS (admin, Hookline)',
    status: 200,
    response: out.ReEncryptOut,
    admin: true,
  },
];

/** Each documented path as a matcher of request paths (Express routes ignore case and a trailing slash), with its methods. */
const PATHS = [...new Set(OPERATIONS.map((operation) => operation.path))].map((path) => ({
  pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}/?$`, 'i'),
  methods: OPERATIONS.filter((operation) => operation.path === path).map((operation) => operation.method.toUpperCase()),
}));

/**
 * The methods a documented path answers (HEAD wherever GET, and OPTIONS), or null for a path the
 * document does not have.
 */
export function methodsAt(requestPath: string): string[] | null {
  const match = PATHS.find(({ pattern }) => pattern.test(requestPath));
  if (!match) return null;
  return [...match.methods, ...(match.methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'];
}
