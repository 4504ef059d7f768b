import { startService } from '@hookline/service';
import type { INestApplication } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { service as ingest } from '../../apps/ingest/src/service.js';
import { migrateTestDatabase } from '../support/env.js';
import { pipelineEnv } from '../support/pipeline.js';

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

/** Every route of /api/v1 that Express, Nest's HTTP server, dispatches, as `METHOD /path/:param`. */
function servedRoutes(app: INestApplication): string[] {
  const { router } = app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: unknown; methods: Record<string, boolean> } }> } };
  return router.stack.flatMap(({ route }) =>
    route && typeof route.path === 'string' && route.path.startsWith('/api/v1/')
      ? Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${route.path as string}`)
      : [],
  );
}

describe('the OpenAPI document served by the API', () => {
  let app: INestApplication;
  // The API alone: the document and the routes are ingest's.
  const api = { url: '', adminToken: '' };
  let document: OpenApiDocument;

  beforeAll(async () => {
    const env = pipelineEnv('openapi');
    await migrateTestDatabase();
    app = await startService(ingest, env);
    api.url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    api.adminToken = env.HOOKLINE_ADMIN_TOKEN!;
    const response = await fetch(`${api.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
  });

  afterAll(() => app?.close());

  it('documents every route the server has under /api/v1, and has a route for every operation it documents', () => {
    // Route parameters are the documented names in camelCase ({app_id} is :appId).
    const camel = (name: string) => name.replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase());
    const route = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => `:${camel(name)}`);
    const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${route(path)}`));
    // The one route of /api/v1 that is no operation of its own: the document itself.
    const served = servedRoutes(app).filter((route) => route !== 'GET /api/v1/openapi.json');
    expect(served.length).toBeGreaterThan(0);
    expect({ notDocumented: served.filter((route) => !documented.includes(route)), notServed: documented.filter((route) => !served.includes(route)) }).toEqual({
      notDocumented: [],
      notServed: [],
    });
    expect(new Set(served).size).toBe(documented.length);
  });

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
      const response = await send(method, api.url + path);
      const body = JSON.parse(response.body) as { code: string; detail: string };
      expect({ method, path, status: response.status, allow: response.allow, code: body.code }).toEqual({ method, path, status: 405, allow, code: 'method_not_allowed' });
    }
    const options = await fetch(`${api.url}/api/v1/app/abc/endpoint/def`, { method: 'OPTIONS' });
    expect({ status: options.status, allow: options.headers.get('allow') }).toEqual({ status: 204, allow: 'GET, PUT, PATCH, DELETE, HEAD, OPTIONS' });
    // A path the document does not have is still a 404, and a documented method still needs its token.
    expect((await send('TRACE', `${api.url}/api/v1/nowhere`)).status).toBe(404);
    expect((await fetch(`${api.url}/api/v1/app`)).status).toBe(401);
  });

  it('lists only routes the server really has', async () => {
    const unknown = '00000000-0000-7000-8000-000000000000';
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) {
        const url = api.url + path.replace(/\{(\w+)\}/g, unknown);
        const response = await fetch(url, {
          method: method.toUpperCase(),
          headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' },
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
