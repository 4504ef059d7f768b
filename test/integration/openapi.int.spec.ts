import { startPipeline, type Pipeline } from '../support/pipeline.js';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: unknown; parameters: Array<{ in: string; name: string }> }>>;
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
