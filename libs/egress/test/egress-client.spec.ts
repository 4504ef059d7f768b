import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import { AddressPolicy, BlockedAddressError, type DnsLookup, EgressClient, type EgressClientOptions, guardedConnector } from '@hookline/egress';

// Every server here listens on 127.0.0.1 and every request targets it: nothing leaves the
// machine. Refusals are decided before a socket is opened, which the counters prove.

interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface TestServer {
  port: number;
  url: string;
  requests: ReceivedRequest[];
  connections: number;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const servers: ReturnType<typeof createServer>[] = [];
const clients: EgressClient[] = [];

async function startServer(handler: Handler, host = '127.0.0.1', port = 0): Promise<TestServer> {
  const state: TestServer = { port: 0, url: '', requests: [], connections: 0 };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    state.requests.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() });
    handler(request, response);
  });
  server.on('connection', () => (state.connections += 1));
  servers.push(server);
  server.listen(port, host);
  await once(server, 'listening');
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://${host}:${state.port}`;
  return state;
}

const loopbackAllowed = new AddressPolicy({ allowHttp: true, allowedSubnets: ['127.0.0.0/8'] });

function client(options: Partial<EgressClientOptions> = {}): EgressClient {
  const egress = new EgressClient({ policy: loopbackAllowed, timeoutMs: 5000, ...options });
  clients.push(egress);
  return egress;
}

const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'inv_1' } });

afterEach(async () => {
  await Promise.all(clients.splice(0).map((egress) => egress.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

describe('EgressClient', () => {
  it('delivers and keeps only an excerpt of a large response', async () => {
    const server = await startServer((_request, response) => response.end('x'.repeat(1_000_000)));
    const outcome = await client({ maxResponseExcerptBytes: 1000 }).post({
      url: `${server.url}/hooks?source=test`,
      headers: { 'Webhook-Id': 'msg_1' },
      body,
    });

    expect(outcome).toEqual({
      ok: true,
      statusCode: 200,
      durationMs: expect.any(Number),
      responseExcerpt: 'x'.repeat(1000),
      error: null,
      retryAfterMs: null,
    });
    expect(server.requests).toHaveLength(1);
    const [received] = server.requests;
    expect(received.path).toBe('/hooks?source=test');
    expect(received.body).toBe(body);
    expect(received.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Hookline-Webhooks/1.0',
      'webhook-id': 'msg_1',
    });
  });

  it('lets the caller set the content type and cuts the excerpt on a character boundary', async () => {
    const server = await startServer((_request, response) => response.end('é'.repeat(10)));
    const outcome = await client({ maxResponseExcerptBytes: 5 }).post({
      url: server.url,
      headers: { 'Content-Type': 'application/cloudevents+json' },
      body,
    });

    expect(outcome.responseExcerpt).toBe('éé');
    expect(server.requests[0].headers['content-type']).toBe('application/cloudevents+json');
  });

  it('never sends a framing, connection or malformed header an endpoint stored before the API refused them', async () => {
    const server = await startServer((_request, response) => response.end('ok'));
    const outcome = await client().post({
      url: `${server.url}/hooks`,
      headers: {
        'Transfer-Encoding': 'chunked',
        'Content-Length': '1',
        Connection: 'close',
        Host: 'elsewhere.example',
        'Proxy-Authorization': 'Basic x',
        'X-Split': 'a\r\nX-Injected: 1',
        'X-Accented': 'caf\u00e9',
        'X-Kept': 'value with spaces',
      },
      body,
    });

    expect(outcome.ok).toBe(true);
    const [received] = server.requests;
    expect(received.body).toBe(body);
    expect(received.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(received.headers.host).toBe(`127.0.0.1:${server.port}`);
    expect(received.headers['transfer-encoding']).toBeUndefined();
    expect(received.headers['proxy-authorization']).toBeUndefined();
    expect(received.headers['x-split']).toBeUndefined();
    expect(received.headers['x-injected']).toBeUndefined();
    expect(received.headers['x-accented']).toBeUndefined();
    expect(received.headers['x-kept']).toBe('value with spaces');
  });

  it('reports a 500 as a failure with its status and body', async () => {
    const server = await startServer((_request, response) => {
      response.statusCode = 500;
      response.end('boom');
    });
    const outcome = await client().post({ url: server.url, body });

    expect(outcome).toMatchObject({ ok: false, statusCode: 500, responseExcerpt: 'boom', error: null });
  });

  it('does not follow redirects', async () => {
    const server = await startServer((request, response) => {
      response.writeHead(302, { location: '/target' }).end();
    });
    const outcome = await client().post({ url: `${server.url}/start`, body });

    expect(outcome).toMatchObject({ ok: false, statusCode: 302, error: null });
    expect(server.requests.map((request) => request.path)).toEqual(['/start']);
  });

  it('parses Retry-After as seconds or as an HTTP-date', async () => {
    const server = await startServer((request, response) => {
      const retryAfter = request.url === '/seconds' ? '7' : new Date(Date.now() + 60_000).toUTCString();
      response.writeHead(request.url === '/seconds' ? 429 : 503, { 'retry-after': retryAfter }).end();
    });
    const egress = client();

    expect(await egress.post({ url: `${server.url}/seconds`, body })).toMatchObject({ statusCode: 429, retryAfterMs: 7000 });
    const dated = await egress.post({ url: `${server.url}/date`, body });
    expect(dated.statusCode).toBe(503);
    expect(dated.retryAfterMs).toBeGreaterThan(55_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('reuses one keep-alive connection for sequential deliveries', async () => {
    const server = await startServer((_request, response) => response.end('ok'));
    // undici marks a pooled connection free only on the event-loop turn after its response
    // body ends, so without a cap a delivery sent at once may open a second socket.
    const egress = client({ connectionsPerOrigin: 1 });

    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await egress.post({ url: server.url, body })).ok).toBe(true);
    }
    expect(server.requests).toHaveLength(5);
    expect(server.connections).toBe(1);
  });

  it('times out on a receiver that never answers', async () => {
    const server = await startServer(() => undefined);
    const outcome = await client({ timeoutMs: 300 }).post({ url: server.url, body });

    expect(outcome).toMatchObject({ ok: false, statusCode: null, error: 'timeout after 300 ms' });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(250);
    // The server never answers: only the 300 ms timeout ends it; the bound leaves room for a stalled machine.
    expect(outcome.durationMs).toBeLessThan(10_000);
  });

  it('times out on a body that stalls before the excerpt is read, keeping the status', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('partial');
    });
    const outcome = await client({ timeoutMs: 300 }).post({ url: server.url, body });

    expect(outcome).toMatchObject({ ok: false, statusCode: 200, error: 'timeout after 300 ms' });
  });

  it('reports a refused connection', async () => {
    const closed = await startServer(() => undefined);
    const server = servers.pop();
    server?.close();
    if (server) await once(server, 'close');

    const outcome = await client().post({ url: closed.url, body });

    expect(outcome.ok).toBe(false);
    expect(outcome.statusCode).toBeNull();
    expect(outcome.error).toMatch(/^connection refused: .*ECONNREFUSED/);
  });

  it('reports a connection reset by the receiver', async () => {
    const server = await startServer((request) => request.socket.destroy());
    const outcome = await client().post({ url: server.url, body });

    expect(outcome).toMatchObject({ ok: false, statusCode: null });
    expect(outcome.error).toMatch(/^connection reset: /);
  });

  describe('address policy', () => {
    const loopbackRefused = new AddressPolicy({ allowHttp: true, allowedSubnets: [] });

    it('refuses a loopback IP literal that is not in allowedSubnets, before connecting', async () => {
      const server = await startServer((_request, response) => response.end('ok'));
      const outcome = await client({ policy: loopbackRefused }).post({ url: server.url, body });

      expect(outcome).toMatchObject({
        ok: false,
        statusCode: null,
        error: 'blocked: refused to connect to 127.0.0.1: loopback address',
      });
      expect(server.connections).toBe(0);
    });

    it('refuses a host name at connect time when it resolves to a refused address', async () => {
      // The URL check cannot judge "localhost"; the connector's lookup does, on the very
      // addresses the socket would connect to.
      const server = await startServer((_request, response) => response.end('ok'));
      const outcome = await client({ policy: loopbackRefused }).post({ url: `http://localhost:${server.port}/`, body });

      expect(outcome.ok).toBe(false);
      // Named by the host the tenant wrote, never by the address it resolved to.
      expect(outcome.error).toBe('blocked: refused to connect to localhost: its address is not allowed (loopback address)');
      expect(server.connections).toBe(0);
    });

    it('refuses plain http when allowHttp is false', async () => {
      const server = await startServer((_request, response) => response.end('ok'));
      const httpsOnly = new AddressPolicy({ allowHttp: false, allowedSubnets: ['127.0.0.0/8'] });
      const outcome = await client({ policy: httpsOnly }).post({ url: server.url, body });

      expect(outcome.error).toBe(`blocked: refused to connect to 127.0.0.1:${server.port}: plain http is not allowed`);
      expect(server.connections).toBe(0);
    });

    it('judges an allowed URL once, and a refused one at every delivery', async () => {
      const server = await startServer((_request, response) => response.end('ok'));
      const judged: string[] = [];
      const policy = new (class extends AddressPolicy {
        override checkUrl(url: string | URL): URL {
          judged.push(String(url));
          return super.checkUrl(url);
        }
      })({ allowHttp: true, allowedSubnets: ['127.0.0.0/8'] });
      const egress = client({ policy });

      const allowed = [await egress.post({ url: `${server.url}/a`, body }), await egress.post({ url: `${server.url}/a`, body })];
      const refused = [await egress.post({ url: 'ftp://127.0.0.1/a', body }), await egress.post({ url: 'ftp://127.0.0.1/a', body })];

      expect(allowed.map((outcome) => outcome.statusCode)).toEqual([200, 200]);
      expect(server.requests.map((request) => request.path)).toEqual(['/a', '/a']);
      expect(refused.map((outcome) => outcome.error)).toEqual(['blocked: refused to connect to 127.0.0.1: scheme ftp: is not allowed', 'blocked: refused to connect to 127.0.0.1: scheme ftp: is not allowed']);
      expect(judged).toEqual([`${server.url}/a`, 'ftp://127.0.0.1/a', 'ftp://127.0.0.1/a']);
    });

    it('reports a URL it cannot parse', async () => {
      const outcome = await client().post({ url: 'not a url', body });

      expect(outcome).toMatchObject({ ok: false, statusCode: null, error: expect.stringMatching(/^invalid URL: /) });
    });
  });
});

describe('guardedConnector', () => {
  // The client's URL check already refuses IP literals; the connector must hold on its own.
  const loopbackRefused = new AddressPolicy({ allowHttp: true, allowedSubnets: [] });

  function connect(policy: AddressPolicy, hostname: string, port: number): Promise<Error | null> {
    return new Promise((resolve) => {
      guardedConnector(policy, 1000)({ hostname, protocol: 'http:', port: String(port) }, (error, socket) => {
        socket?.destroy();
        resolve(error);
      });
    });
  }

  it.each<{ name: string; hostname: string }>([
    { name: '127.0.0.1', hostname: '127.0.0.1' },
    { name: 'localhost', hostname: 'localhost' },
    // Not IP literals to net.isIP: the system resolver reads these as 127.0.0.1, and that
    // answer is what the lookup judges.
    { name: 'an octal IPv4 form of a loopback address (0177.0.0.1)', hostname: '0177.0.0.1' },
    { name: 'a decimal IPv4 form of a loopback address (2130706433)', hostname: '2130706433' },
    { name: 'an IPv4-mapped IPv6 literal of a loopback address (::ffff:127.0.0.1)', hostname: '::ffff:127.0.0.1' },
  ])('refuses $name without opening a socket', async ({ hostname }) => {
    const server = await startServer(() => undefined);
    const error = await connect(loopbackRefused, hostname, server.port);

    expect(error).toBeInstanceOf(BlockedAddressError);
    // Named as written: an IP literal is judged itself, a name by what it resolves to, which is not shown.
    expect(error?.message).toBe(`refused to connect to ${hostname}: ${isIP(hostname) ? 'loopback address' : 'its address is not allowed (loopback address)'}`);
    expect(server.connections).toBe(0);
  });

  it('connects to an allowed address', async () => {
    const server = await startServer(() => undefined);

    expect(await connect(loopbackAllowed, '127.0.0.1', server.port)).toBeNull();
  });

  it('refuses a link-local IPv6 literal whatever its zone id', async () => {
    const error = await connect(loopbackRefused, 'fe80::1%lo', 9);

    expect(error?.message).toBe('refused to connect to fe80::1%lo: link-local address');
  });
});

describe('DNS rebinding', () => {
  // The endpoint's host resolves to 127.0.0.1 (the allowed "public" address here) until its
  // owner rebinds it to 127.0.0.2 (the refused "internal" one). Both servers share a port, so
  // only the resolver's answer decides where a connection would land.
  const onlyFirstLoopback = new AddressPolicy({ allowHttp: true, allowedSubnets: ['127.0.0.1/32'] });

  /** A resolver that gives `answers[i]` to its i-th question, and the last one after that. */
  function rebindingResolver(answers: string[][]): DnsLookup & { questions: number } {
    const resolve = ((hostname, _options, callback) => {
      const answer = answers[Math.min(resolve.questions, answers.length - 1)];
      resolve.questions += 1;
      if (hostname !== 'hooks.rebind.test') return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, answer.map((address) => ({ address, family: 4 })));
    }) as DnsLookup & { questions: number };
    resolve.questions = 0;
    return resolve;
  }

  async function servers(): Promise<{ allowed: TestServer; internal: TestServer }> {
    // A new connection per request, so every delivery asks the resolver again.
    const allowed = await startServer((_request, response) => response.setHeader('connection', 'close').end('ok'));
    const internal = await startServer((_request, response) => response.end('internal'), '127.0.0.2', allowed.port);
    return { allowed, internal };
  }

  it('refuses the rebound answer and never connects to it', async () => {
    const { allowed, internal } = await servers();
    const resolve = rebindingResolver([['127.0.0.1'], ['127.0.0.2']]);
    const egress = client({ policy: onlyFirstLoopback, dnsLookup: resolve });
    const url = `http://hooks.rebind.test:${allowed.port}/in`;

    const first = await egress.post({ url, body });
    const second = await egress.post({ url, body });

    expect(first).toMatchObject({ ok: true, statusCode: 200 });
    expect(second).toMatchObject({ ok: false, statusCode: null, error: 'blocked: refused to connect to hooks.rebind.test: its address is not allowed (loopback address)' });
    expect(resolve.questions).toBe(2);
    expect(allowed.requests).toHaveLength(1);
    expect(internal.connections).toBe(0);
  });

  it('connects to the address it checked, not to a second answer', async () => {
    // A guard that resolved once to check and let the socket resolve again to connect would
    // reach the internal server here: the second question gets the rebound answer.
    const { allowed, internal } = await servers();
    const resolve = rebindingResolver([['127.0.0.1'], ['127.0.0.2']]);
    const outcome = await client({ policy: onlyFirstLoopback, dnsLookup: resolve }).post({ url: `http://hooks.rebind.test:${allowed.port}/in`, body });

    expect(outcome).toMatchObject({ ok: true, responseExcerpt: 'ok' });
    expect(resolve.questions).toBe(1);
    expect(internal.connections).toBe(0);
  });

  it('refuses an answer that mixes an allowed and a refused address', async () => {
    const { allowed, internal } = await servers();
    const resolve = rebindingResolver([['127.0.0.1', '127.0.0.2']]);
    const outcome = await client({ policy: onlyFirstLoopback, dnsLookup: resolve }).post({ url: `http://hooks.rebind.test:${allowed.port}/in`, body });

    expect(outcome.error).toBe('blocked: refused to connect to hooks.rebind.test: its address is not allowed (loopback address)');
    expect(allowed.connections).toBe(0);
    expect(internal.connections).toBe(0);
  });
});
