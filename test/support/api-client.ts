/** What a request got back: the status, the headers and the parsed JSON body (null when empty). */
export interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** A minimal HTTP client of the REST API, for tests where exact statuses, headers and bodies matter. */
export function apiClient(apiUrl: string, token: string | null) {
  async function send<T>(method: string, path: string, json?: unknown): Promise<Reply<T>> {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (json !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${apiUrl}${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text === '' ? null : JSON.parse(text)) as T };
  }
  return {
    send,
    get: <T = Record<string, unknown>>(path: string) => send<T>('GET', path),
    post: <T = Record<string, unknown>>(path: string, json?: unknown) => send<T>('POST', path, json),
    patch: <T = Record<string, unknown>>(path: string, json: unknown) => send<T>('PATCH', path, json),
    delete: <T = Record<string, unknown>>(path: string) => send<T>('DELETE', path),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;
