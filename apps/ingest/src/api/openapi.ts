import { Get } from '@nestjs/common';
import { z } from 'zod';
import { ApiController } from './api-controller.js';
import { Public } from './auth.js';
import {
  apiKeyIn,
  applicationIn,
  applicationPatch,
  attemptListQuery,
  deadLetterQuery,
  endpointIn,
  endpointPatch,
  eventTypeIn,
  eventTypePatch,
  listQuery,
  messageIn,
  messageListQuery,
  recoverIn,
  replayIn,
  secretRotateIn,
} from './schemas.js';

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Status of a successful answer. */
  status: number;
}

// The operations of /api/v1, described from the same zod schemas that validate them.
const OPERATIONS: Operation[] = [
  { method: 'get', path: '/api/v1/health', summary: 'Health', status: 204 },
  { method: 'post', path: '/api/v1/app', summary: 'Create application (admin)', body: applicationIn, status: 201 },
  { method: 'get', path: '/api/v1/app', summary: 'List applications', query: listQuery, status: 200 },
  { method: 'get', path: '/api/v1/app/{app_id}', summary: 'Get application by id or uid', status: 200 },
  { method: 'put', path: '/api/v1/app/{app_id}', summary: 'Update application', body: applicationIn, status: 200 },
  { method: 'patch', path: '/api/v1/app/{app_id}', summary: 'Patch application', body: applicationPatch, status: 200 },
  { method: 'delete', path: '/api/v1/app/{app_id}', summary: 'Delete application (admin)', status: 204 },
  { method: 'post', path: '/api/v1/app/{app_id}/api-key', summary: 'Create an API key scoped to the application (admin); the key is shown once', body: apiKeyIn, status: 201 },
  { method: 'post', path: '/api/v1/event-type', summary: 'Create event type (admin)', body: eventTypeIn, status: 201 },
  { method: 'get', path: '/api/v1/event-type', summary: 'List event types', query: listQuery, status: 200 },
  { method: 'get', path: '/api/v1/event-type/{event_type_name}', summary: 'Get event type', status: 200 },
  { method: 'put', path: '/api/v1/event-type/{event_type_name}', summary: 'Update event type (admin)', body: eventTypePatch, status: 200 },
  { method: 'patch', path: '/api/v1/event-type/{event_type_name}', summary: 'Patch event type (admin)', body: eventTypePatch, status: 200 },
  { method: 'delete', path: '/api/v1/event-type/{event_type_name}', summary: 'Archive event type (admin)', status: 204 },
  { method: 'post', path: '/api/v1/app/{app_id}/endpoint', summary: 'Create endpoint', body: endpointIn, status: 201 },
  { method: 'get', path: '/api/v1/app/{app_id}/endpoint', summary: 'List endpoints', query: listQuery, status: 200 },
  { method: 'get', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Get endpoint by id or uid', status: 200 },
  { method: 'put', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Update endpoint', body: endpointPatch, status: 200 },
  { method: 'patch', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Patch endpoint', body: endpointPatch, status: 200 },
  { method: 'delete', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Delete endpoint', status: 204 },
  { method: 'get', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret', summary: "Get the endpoint's signing secret", status: 200 },
  {
    method: 'post',
    path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret/rotate',
    summary: 'Rotate the signing secret; the previous one keeps signing for a grace period (HOOKLINE_SECRET_ROTATION_GRACE or gracePeriodSeconds)',
    body: secretRotateIn,
    status: 204,
  },
  { method: 'post', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/verify', summary: 'Run the endpoint verification handshake again (Hookline)', status: 200 },
  { method: 'post', path: '/api/v1/app/{app_id}/msg', summary: 'Send a message (409 for a repeated eventId)', body: messageIn, status: 202 },
  { method: 'get', path: '/api/v1/app/{app_id}/msg', summary: 'List messages', query: messageListQuery, status: 200 },
  { method: 'get', path: '/api/v1/app/{app_id}/msg/{msg_id}', summary: 'Get message by id or eventId', status: 200 },
  { method: 'get', path: '/api/v1/app/{app_id}/attempt/msg/{msg_id}', summary: 'List attempts of a message', query: attemptListQuery, status: 200 },
  { method: 'get', path: '/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}', summary: 'List attempts to an endpoint', query: attemptListQuery, status: 200 },
  { method: 'post', path: '/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend', summary: 'Send a message to an endpoint again', status: 202 },
  { method: 'post', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/recover', summary: 'Send again every message that failed on the endpoint since a time', body: recoverIn, status: 202 },
  { method: 'get', path: '/api/v1/app/{app_id}/dead-letter', summary: 'List dead letters (Hookline)', query: deadLetterQuery, status: 200 },
  { method: 'post', path: '/api/v1/app/{app_id}/dead-letter/replay', summary: 'Replay dead letters with a fresh retry schedule (Hookline)', body: replayIn, status: 202 },
  {
    method: 'post',
    path: '/api/v1/admin/secrets/re-encrypt',
    summary: 'Re-encrypt every endpoint secret under the active key of HOOKLINE_SECRETS_KEYS (admin, Hookline)',
    status: 200,
  },
];

const errorBody = { type: 'object', properties: { code: { type: 'string' }, detail: { type: 'string' } }, required: ['code', 'detail'] };
const validationBody = {
  type: 'object',
  properties: {
    detail: {
      type: 'array',
      items: {
        type: 'object',
        properties: { loc: { type: 'array', items: { type: ['string', 'integer'] } }, msg: { type: 'string' }, type: { type: 'string' } },
        required: ['loc', 'msg', 'type'],
      },
    },
  },
  required: ['detail'],
};

function parametersOf(operation: Operation) {
  const path = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  const query = operation.query
    ? Object.entries((z.toJSONSchema(operation.query, { io: 'input' }) as { properties?: Record<string, object> }).properties ?? {}).map(([name, schema]) => ({
        name,
        in: 'query',
        required: false,
        schema,
      }))
    : [];
  return [...path, ...query];
}

/** The OpenAPI 3.1 document of the API, built once from the route table above. */
export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    const responses: Record<string, unknown> = {
      [operation.status]: { description: 'Success', ...(operation.status === 204 ? {} : { content: { 'application/json': { schema: { type: 'object' } } } }) },
      '401': { description: 'Missing or invalid token', content: { 'application/json': { schema: errorBody } } },
      '404': { description: 'Not found (or another tenant’s)', content: { 'application/json': { schema: errorBody } } },
      '422': { description: 'Invalid request; each problem names its field', content: { 'application/json': { schema: validationBody } } },
      '429': {
        description: 'More than HOOKLINE_API_RATE_LIMIT requests per second with this token',
        headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
        content: { 'application/json': { schema: errorBody } },
      },
    };
    if (operation.method === 'post' || operation.method === 'put' || operation.method === 'patch') {
      responses['409'] = { description: 'Conflicts with the current state (a duplicate, a limit reached)', content: { 'application/json': { schema: errorBody } } };
    }
    if (operation.body) responses['413'] = { description: 'Request body larger than 256 KiB', content: { 'application/json': { schema: errorBody } } };
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method] = {
      summary: operation.summary,
      operationId: `${operation.method}${operation.path.replace(/[^a-zA-Z]+(\w)/g, (_, c: string) => c.toUpperCase())}`,
      parameters: parametersOf(operation),
      ...(operation.body && {
        requestBody: { required: !operation.body.safeParse(undefined).success, content: { 'application/json': { schema: z.toJSONSchema(operation.body, { io: 'input', target: 'openapi-3.0' }) } } },
      }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Hookline API', version: '1.0.0', description: 'Webhook delivery on Kafka; follows the Svix API shape for the resources it covers.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

@ApiController('api/v1/openapi.json')
export class OpenApiController {
  private readonly document = buildOpenApiDocument();

  @Get()
  @Public()
  get() {
    return this.document;
  }
}
