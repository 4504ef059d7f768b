import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopIdleRequestQueuePolling } from '../src/connection/idle-request-queue.js';
import { ADJUSTED_KAFKAJS_VERSION } from '../src/kafkajs-internals.js';

// kafkajs's own request queue (one per broker connection), as the services get it.
const require = createRequire(import.meta.url);
interface Queue {
  pending: unknown[];
  throttleCheckTimeoutId: unknown;
  push(request: { entry: { correlationId: number; resolve(): void; reject(error: Error): void }; expectResponse: boolean; sendRequest(): void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  checkPendingRequests(): void;
  destroy(): void;
}
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (options: object) => Queue;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A queue that allows one request in flight, counting its checks of held-back requests; `sent` lists what went to the socket. */
function queue() {
  const q = new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'localhost:9092', logger: silent });
  const counted = { checks: 0, sent: [] as number[] };
  const check = q.checkPendingRequests.bind(q);
  q.checkPendingRequests = () => {
    counted.checks++;
    check();
  };
  const request = (correlationId: number) => ({ entry: { correlationId, resolve() {}, reject() {} }, expectResponse: true, sendRequest: () => counted.sent.push(correlationId) });
  return { q, counted, request };
}

/**
 * How often a queue looks for held-back requests after its one request completed: over 100 ms,
 * or until `enough` checks were seen (then for up to 5 s, since a loaded machine runs few timers).
 */
async function checksOnceIdle(enough?: number): Promise<{ checks: number; timerLeft: boolean }> {
  const { q, counted, request } = queue();
  q.push(request(1));
  q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
  counted.checks = 0;
  const deadline = Date.now() + (enough === undefined ? 100 : 5_000);
  do await sleep(20);
  while ((enough === undefined || counted.checks < enough) && Date.now() < deadline);
  const timerLeft = q.throttleCheckTimeoutId !== null;
  q.destroy();
  return { checks: counted.checks, timerLeft };
}

describe("kafkajs's request queue", () => {
  it('is the release the correction was written for (another one: read its queue again, then move this)', () => {
    expect((require('kafkajs/package.json') as { version: string }).version).toBe(ADJUSTED_KAFKAJS_VERSION);
  });

  it('as released, looks for held-back requests every millisecond while none is held back', async () => {
    // About 100 in 100 ms when the process is quiet; never any in the corrected queue.
    expect((await checksOnceIdle(6)).checks).toBeGreaterThan(5);
  });

  describe('corrected', () => {
    beforeAll(() => stopIdleRequestQueuePolling());

    it('looks no more once nothing is held back', async () => {
      expect(await checksOnceIdle()).toEqual({ checks: 0, timerLeft: false });
    });

    it('sends a request held back at the in-flight limit as soon as the one ahead completes', () => {
      const { q, counted, request } = queue();
      q.push(request(1));
      q.push(request(2));
      expect(counted.sent).toEqual([1]);
      q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
      expect(counted.sent).toEqual([1, 2]);
      q.destroy();
    });

    it('sends a request held back by a throttle once the throttle runs out, with nothing else to wake it', async () => {
      const { q, counted, request } = queue();
      q.maybeThrottle(40);
      q.push(request(1));
      expect(counted.sent).toEqual([]);
      await sleep(120);
      expect(counted.sent).toEqual([1]);
      expect(q.pending).toEqual([]);
      q.destroy();
    });
  });
});
