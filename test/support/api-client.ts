/** What a request got back: the status, the headers and the parsed JSON body (null when empty). */
export interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

type Json = Record<string, unknown>;

/** A body as JSON (`json`) or as exact text sent as JSON (`raw`), and headers of the request's own. */
export interface SendOptions {
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

/**
 * The tests' HTTP client of the REST API, for where exact statuses, headers and bodies matter
 * (the svix SDK shows the rest). `token` null sends no Authorization header.
 */
export function apiClient(apiUrl: string, token: string | null) {
  async function send<T>(method: string, path: string, options: SendOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.raw !== undefined || options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = options.raw ?? JSON.stringify(options.json);
    }
    const response = await fetch(`${apiUrl}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text === '' ? null : JSON.parse(text)) as T };
  }
  return {
    send,
    get: <T = Json>(path: string) => send<T>('GET', path),
    post: <T = Json>(path: string, json?: unknown, headers?: Record<string, string>) => send<T>('POST', path, { json, headers }),
    put: <T = Json>(path: string, json: unknown) => send<T>('PUT', path, { json }),
    patch: <T = Json>(path: string, json: unknown) => send<T>('PATCH', path, { json }),
    delete: <T = Json>(path: string) => send<T>('DELETE', path),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;

/** Every operation of the API's own OpenAPI document, as `METHOD /api/v1/path/{param}`. */
export async function documentedOperations(client: ApiClient): Promise<string[]> {
  const document = (await client.get<{ paths: Record<string, Record<string, unknown>> }>('/api/v1/openapi.json')).body;
  return Object.entries(document.paths).flatMap(([template, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${template}`));
}
