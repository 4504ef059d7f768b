import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { requestLogOptions } from '../src/request-log.js';

/** A server that logs its requests as the services do, into `lines`, and answers `status`. */
async function loggedServer(lines: Array<Record<string, unknown>>, status: number): Promise<Server> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const middleware = pinoHttp(requestLogOptions(pino({ redact: { paths: ['req.headers.authorization'], censor: '[redacted]' } }, sink)));
  const server = createServer((request, response) => {
    middleware(request, response);
    response.statusCode = status;
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('the access log', () => {
  const lines: Array<Record<string, unknown>> = [];
  let server: Server;
  beforeEach(() => {
    lines.length = 0;
  });
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it('writes one line per request with its method, path and status, and no header (so no credential)', async () => {
    server = await loggedServer(lines, 202);
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/app/app_1/msg?with_content=false`, {
      method: 'POST',
      headers: { authorization: 'Bearer testsk_secret-token-value', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(202);
    await new Promise((resolve) => setImmediate(resolve));
    const requestLines = lines.filter((line) => line.msg === 'request completed');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      req: { method: 'POST', url: '/api/v1/app/app_1/msg?with_content=false', remoteAddress: '127.0.0.1' },
      res: { statusCode: 202 },
    });
    expect(requestLines[0]!.req).not.toHaveProperty('headers');
    expect(JSON.stringify(lines)).not.toContain('secret-token-value');
  });

  it('leaves health probes out', async () => {
    server = await loggedServer(lines, 200);
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/health/ready`);
    await fetch(`http://127.0.0.1:${port}/stats/usage`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((line) => (line.req as { url: string }).url)).toEqual(['/stats/usage']);
  });
});
