import { z } from 'zod';
import { refusal, refusesSomeToken } from '../auth/principal.js';
import { type ApiOperation, operationsByPath } from '../http/operation.js';
import { responses } from '../http/schemas.js';

type JsonSchema = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Without `$schema`, and the fragment `$id` zod gives a registry's schemas: OpenAPI 3.1 names them by their place. */
function bare(schema: JsonSchema): JsonSchema {
  const result = { ...schema };
  delete result.$schema;
  delete result.$id;
  return result;
}

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of an input, without the keywords a component must not carry. */
function inputSchema(schema: z.ZodType): JsonSchema {
  return bare(z.toJSONSchema(schema, { io: 'input' }) as JsonSchema);
}

/** The response schemas of out.ts, by name, referring to each other. */
function responseSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(responses, { io: 'output', uri: (id) => ref(id).$ref }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, bare(schema)]));
}

function responseRef(schema: z.ZodType) {
  const name = responses.get(schema)?.id;
  if (!name) throw new Error('a response schema of an operation is not registered by name (named(...) in http/schemas.ts)');
  return ref(name);
}

function parametersOf(operation: ApiOperation) {
  const path = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', minLength: 1 },
  }));
  const query = Object.entries((operation.query ? inputSchema(operation.query).properties : undefined) ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
  return [...path, ...query];
}

const json = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } });

function responsesOf(operation: ApiOperation): Record<string, unknown> {
  const error = ref('HttpErrorOut');
  const success = operation.response && json(responseRef(operation.response));
  const answers: Record<string, unknown> = operation.upsert
    ? { '200': { description: 'Found, and changed if the method changes it', ...success }, '201': { description: 'Created', ...success } }
    : { [operation.status]: { description: 'Success', ...success } };
  if (operation.body) answers['400'] = { description: 'The request body is not JSON', ...json(error) };
  if (operation.access === 'public') return answers;
  answers['401'] = { description: 'Missing or invalid token', ...json(error) };
  if (refusesSomeToken(operation.access)) answers['403'] = { description: `Refused: ${refusal(operation.access)}`, ...json(error) };
  if (operation.path.includes('{')) answers['404'] = { description: 'Not found (or another tenant’s)', ...json(error) };
  if (operation.method !== 'get' && operation.method !== 'delete') {
    answers['409'] = { description: 'Conflicts with the current state (a duplicate, a limit reached, a concurrent change)', ...json(error) };
  }
  if (operation.body) answers['413'] = { description: 'Request body larger than 256 KiB', ...json(error) };
  answers['422'] = {
    description:
      'Invalid request; each problem names its field (text PostgreSQL cannot store, U+0000 or an unpaired surrogate, and nesting deeper than 128 levels included). On a POST, also an invalid Idempotency-Key, or one used before on another route or with another body ({code, detail})',
    ...json(operation.method === 'post' ? { anyOf: [ref('HTTPValidationError'), error] } : ref('HTTPValidationError')),
  };
  answers['429'] = {
    description: 'Too many requests: more than HOOKLINE_API_RATE_LIMIT a second with this token, or HOOKLINE_API_INVALID_TOKEN_RATE_LIMIT invalid tokens a second from this address, or (verify) every handshake slot taken',
    headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
    ...json(error),
  };
  return answers;
}

function operationOf(operation: ApiOperation) {
  return {
    summary: operation.summary,
    operationId: `${operation.method}${operation.path.replace(/[^a-zA-Z]+(\w)/g, (_, c: string) => c.toUpperCase())}`,
    ...(operation.deprecated && { deprecated: true }),
    ...(operation.access === 'public' && { security: [] }),
    parameters: parametersOf(operation),
    ...(operation.body && { requestBody: { required: !operation.body.safeParse(undefined).success, ...json(inputSchema(operation.body)) } }),
    responses: responsesOf(operation),
  };
}

/** The OpenAPI 3.1 document of the API, built from the declared operations (http/operation.ts). */
export function buildOpenApiDocument() {
  const paths = Object.fromEntries(operationsByPath().map(({ path, operations }) => [path, Object.fromEntries(operations.map((operation) => [operation.method, operationOf(operation)]))]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hookline API',
      version: '1.0.0',
      description:
        'Webhook delivery on Kafka; follows the Svix API shape for the resources it covers. No string or key the API takes may contain U+0000 or an unpaired UTF-16 surrogate, ' +
        'and no JSON it takes may nest objects and arrays deeper than 128 levels (a 422 naming the field). ' +
        'A method a path does not have gets a 405 with an Allow header.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ...responseSchemas(),
        HttpErrorOut: { type: 'object', properties: { code: { type: 'string' }, detail: { type: 'string' } }, required: ['code', 'detail'] },
        HTTPValidationError: {
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
        },
      },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
