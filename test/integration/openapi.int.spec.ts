import { request as httpRequest } from 'node:http';
import { startPipeline, type Pipeline } from '../support/pipeline.js';

interface Operation {
  requestBody?: unknown;
  parameters: Array<{ in: string; name: string }>;
  security?: unknown[];
  responses: Record<string, { content?: { 'application/json': { schema: { $ref?: string } } } }>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
}

/** Any method, TRACE included (which fetch refuses to send). */
function send(method: string, url: string): Promise<{ status: number; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, allow: response.headers.allow, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the OpenAPI document served by the API', () => {
  let pipeline: Pipeline;
  let document: OpenApiDocument;

  beforeAll(async () => {
    pipeline = await startPipeline('openapi');
    const response = await fetch(`${pipeline.apiUrl}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
  });

  afterAll(() => pipeline?.stop());

  it('describes request bodies from the validating schemas', () => {
    expect(document.openapi).toBe('3.1.0');
    const create = document.paths['/api/v1/app/{app_id}/endpoint']!.post!;
    expect(JSON.stringify(create.requestBody)).toContain('"eventTypes"');
    expect(document.paths['/api/v1/app/{app_id}/msg']!.get!.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['app_id', 'limit', 'iterator', 'channel']),
    );
  });

  it('gives every successful answer with a body a named schema, documents the 400 of each body, and needs no token for health', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const [status, success] = Object.entries(operation.responses).find(([code]) => code.startsWith('2'))!;
        const ref = success.content?.['application/json'].schema.$ref;
        expect({ path, method, status, described: status === '204' || (ref !== undefined && document.components.schemas[ref.split('/').pop()!] !== undefined) }).toEqual({
          path,
          method,
          status,
          described: true,
        });
        expect({ path, method, has400: '400' in operation.responses }).toEqual({ path, method, has400: operation.requestBody !== undefined });
      }
    }
    expect(document.paths['/api/v1/health']!.get!.security).toEqual([]);
    expect(document.components.schemas.ListResponseEndpointOut!.required).toEqual(['data', 'iterator', 'prevIterator', 'done']);
    expect(document.components.schemas.RecoverOut!.required).toEqual(expect.arrayContaining(['id', 'status', 'task', 'updatedAt']));
    // PUT replaces an endpoint, so its url is required; PATCH changes what it names.
    const endpoint = document.paths['/api/v1/app/{app_id}/endpoint/{endpoint_id}']!;
    const bodyOf = (operation: Operation) => (operation.requestBody as { content: { 'application/json': { schema: { required?: string[]; properties: { url: object } } } } }).content['application/json'].schema;
    expect(bodyOf(endpoint.put!).required).toEqual(['url']);
    expect(bodyOf(endpoint.patch!).required).toBeUndefined();
    expect(bodyOf(endpoint.put!).properties.url).toMatchObject({ type: 'string', format: 'uri', maxLength: 2048, pattern: expect.stringMatching(/^\^\[Hh\]/) });
  });

  it('answers a method that a documented path lacks with 405 and Allow, OPTIONS with Allow, before any token', async () => {
    for (const [method, path, allow] of [
      ['TRACE', '/api/v1/app', 'POST, GET, HEAD, OPTIONS'],
      ['DELETE', '/api/v1/app/abc/msg', 'POST, GET, HEAD, OPTIONS'],
      ['POST', '/api/v1/event-type/some.type/', 'GET, PUT, PATCH, DELETE, HEAD, OPTIONS'],
      ['GET', '/api/v1/admin/secrets/re-encrypt', 'POST, OPTIONS'],
    ] as const) {
      const response = await send(method, pipeline.apiUrl + path);
      const body = JSON.parse(response.body) as { code: string; detail: string };
      expect({ method, path, status: response.status, allow: response.allow, code: body.code }).toEqual({ method, path, status: 405, allow, code: 'method_not_allowed' });
    }
    const options = await fetch(`${pipeline.apiUrl}/api/v1/app/abc/endpoint/def`, { method: 'OPTIONS' });
    expect({ status: options.status, allow: options.headers.get('allow') }).toEqual({ status: 204, allow: 'GET, PUT, PATCH, DELETE, HEAD, OPTIONS' });
    // A path the document does not have is still a 404, and a documented method still needs its token.
    expect((await send('TRACE', `${pipeline.apiUrl}/api/v1/nowhere`)).status).toBe(404);
    expect((await fetch(`${pipeline.apiUrl}/api/v1/app`)).status).toBe(401);
  });

  it('lists only routes the server really has', async () => {
    const unknown = '00000000-0000-7000-8000-000000000000';
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) {
        const url = pipeline.apiUrl + path.replace(/\{(\w+)\}/g, unknown);
        const response = await fetch(url, {
          method: method.toUpperCase(),
          headers: { authorization: `Bearer ${pipeline.adminToken}`, 'content-type': 'application/json' },
          body: ['post', 'put', 'patch'].includes(method) ? '{}' : undefined,
        });
        const body = response.status === 204 ? null : ((await response.json()) as { code?: string; detail?: unknown });
        // A route the router lacks answers Nest's "Cannot METHOD /path"; a real one answers 2xx, 404 not_found or 422.
        expect({ path, method, status: response.status, routed: !String(body?.detail ?? '').startsWith('Cannot ') }).toEqual(
          expect.objectContaining({ routed: true }),
        );
        expect(response.status).toBeLessThan(500);
      }
    }
  });
});
