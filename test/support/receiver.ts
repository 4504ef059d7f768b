import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the receiver answers for a request: a status, after an optional delay, with an optional body. */
export type Respond = (request: ReceivedRequest) => { status: number; delayMs?: number; headers?: Record<string, string>; body?: string };

/** A real HTTP server on 127.0.0.1 standing in for a customer's endpoint. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private server?: Server;
  respond: Respond = () => ({ status: 200 });

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        this.requests.push(received);
        const { status, delayMs = 0, headers = {}, body } = this.respond(received);
        const timer = setTimeout(() => res.writeHead(status, headers).end(body ?? (status < 300 ? 'ok' : 'nope')), delayMs);
        res.on('close', () => clearTimeout(timer));
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  url(path = '/webhook'): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}${path}`;
  }

  on(path: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Closes the server, if it was started. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A receiver for the tests of a describe block (or file): started before them, stopped after. */
export function useReceiver(): Receiver {
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  return receiver;
}
