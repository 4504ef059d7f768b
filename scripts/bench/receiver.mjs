// The webhook receiver of the benchmark and the chaos test: node:http in a worker thread, on
// 127.0.0.1, one port per application (its own origin, as separate customers would have). It
// answers 204 and records, per first receipt of an (event, endpoint) pair, the latency from the
// event's scheduled send time (carried in its payload as `bench.at`, so a load generator that
// falls behind cannot hide its delay). It de-duplicates on webhook-id per endpoint and counts the
// duplicates. For events with an ordering key (`bench.key`, sent to a FIFO endpoint) it checks
// the order of every request, answered or refused: per endpoint and key, a sequence number below
// one already received is an order violation (a repeat is not). Plain ESM JavaScript for Node 24;
// started with startReceiver().
import { createServer } from 'node:http';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/**
 * Starts the receiver thread. Options: apps (ports), failRate (fraction answered 500), latencyMs
 * (before each answer), hang (one more port that reads requests and never answers). Resolves with
 * { ports, hangPort, ask(message) } where ask sends reset / count / stats / window / seen / mode / close.
 */
export async function startReceiver(options) {
  const handle = workerHandle(new Worker(new URL(import.meta.url), { workerData: options }));
  handle.worker.on('error', (error) => process.stderr.write(`bench: receiver: ${error.stack ?? error}\n`));
  const { ports, hangPort } = await handle.next('ready');
  return {
    ports,
    hangPort,
    ask: handle.ask,
    async close() {
      await handle.ask({ type: 'close' }, 'closed', 5_000).catch(() => undefined);
      await handle.worker.terminate();
    },
  };
}

/** The main thread's handle on a worker: request/response by message type. */
export function workerHandle(worker) {
  const waiting = new Map();
  worker.on('message', (message) => waiting.get(message.type)?.shift()?.(message));
  const next = (type, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const queue = waiting.get(type) ?? [];
      const timer = setTimeout(() => reject(new Error(`worker: no "${type}" within ${timeoutMs / 1000} s`)), timeoutMs);
      queue.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
      waiting.set(type, queue);
    });
  return {
    worker,
    next,
    ask(message, replyType = message.type, timeoutMs) {
      const reply = next(replyType, timeoutMs);
      worker.postMessage(message);
      return reply;
    },
  };
}

async function receiver({ apps, failRate = 0, latencyMs = 0, hang = false }) {
  let state;
  // While failing (the chaos test's flapping receiver), every request is answered 503.
  let failing = false;
  const reset = (phase) => {
    state = {
      phase,
      seen: new Set(),
      seenSeq: new Set(),
      latencies: [],
      endpoints: [],
      sentAt: [],
      windowFrom: 0,
      first: Infinity,
      last: 0,
      duplicates: 0,
      // When each duplicate arrived: the chaos report counts them by the fault window they fell in.
      duplicateAt: [],
      duplicatesOtherId: 0,
      failed: 0,
      refused: 0,
      hang: 0,
      stray: 0,
      unknown: 0,
      ordered: { requests: 0, violations: 0, examples: [], highest: new Map() },
    };
  };
  /** Records one request of an ordered event, and whether it came after a later one of its key. */
  const checkOrder = (endpoint, bench) => {
    const { ordered } = state;
    const key = `${endpoint} ${bench.key}`;
    const highest = ordered.highest.get(key) ?? -1;
    ordered.requests++;
    if (bench.seq < highest) {
      ordered.violations++;
      if (ordered.examples.length < 10) ordered.examples.push({ key: bench.key, after: highest, got: bench.seq });
    } else {
      ordered.highest.set(key, bench.seq);
    }
  };
  reset(null);
  const reply = (res, status) => {
    if (latencyMs > 0) setTimeout(() => res.writeHead(status).end(), latencyMs);
    else res.writeHead(status).end();
  };
  const onRequest = (req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const now = Date.now();
      const match = /^\/e\/(\d+)$/.exec(req.url ?? '');
      if (!match) {
        state.unknown++;
        res.writeHead(404).end();
        return;
      }
      let bench;
      try {
        bench = JSON.parse(globalThis.Buffer.concat(chunks).toString('utf8')).bench;
      } catch {
        // Not ours.
      }
      if (bench?.key !== undefined && bench.phase === state.phase) checkOrder(match[1], bench);
      if (failing) {
        state.refused++;
        reply(res, 503);
        return;
      }
      if (failRate > 0 && Math.random() < failRate) {
        state.failed++;
        reply(res, 500);
        return;
      }
      if (!bench || bench.phase !== state.phase) {
        state.stray++;
        reply(res, 204);
        return;
      }
      const endpoint = match[1];
      const key = `${req.headers['webhook-id']} ${endpoint}`;
      if (state.seen.has(key)) {
        state.duplicates++;
        state.duplicateAt.push(now);
      } else {
        state.seen.add(key);
        const seqKey = `${bench.seq} ${endpoint}`;
        if (state.seenSeq.has(seqKey)) {
          // The same event accepted twice (a producer's retried publish) under two message ids.
          state.duplicatesOtherId++;
        } else {
          state.seenSeq.add(seqKey);
          state.latencies.push(now - bench.at);
          state.endpoints.push(Number(endpoint));
          state.sentAt.push(bench.at);
          if (now < state.first) state.first = now;
          if (now > state.last) state.last = now;
        }
      }
      reply(res, 204);
    });
  };
  const listen = (handler) =>
    new Promise((resolve, reject) => {
      const server = createServer({ keepAliveTimeout: 30_000 }, handler);
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
  const servers = [];
  for (let app = 0; app < apps; app++) servers.push(await listen(onRequest));
  // The hanging endpoint reads the request and never answers.
  const hangServer = hang
    ? await listen((req) => {
        state.hang++;
        req.resume();
      })
    : null;
  parentPort.on('message', async (message) => {
    if (message.type === 'reset') {
      reset(message.phase);
      parentPort.postMessage({ type: 'reset' });
    } else if (message.type === 'mode') {
      failing = message.failing;
      parentPort.postMessage({ type: 'mode' });
    } else if (message.type === 'count') {
      parentPort.postMessage({ type: 'count', delivered: state.latencies.length, last: state.last });
    } else if (message.type === 'stats') {
      const latencies = Float64Array.from(state.latencies);
      const endpoints = Int32Array.from(state.endpoints);
      const sentAt = Float64Array.from(state.sentAt);
      const duplicateAt = Float64Array.from(state.duplicateAt);
      const { phase, first, last, duplicates, duplicatesOtherId, failed, refused, stray, unknown } = state;
      const { requests, violations, examples } = state.ordered;
      const counts = { phase, first, last, duplicates, duplicatesOtherId, failed, refused, stray, unknown, hang: state.hang, ordered: { requests, violations, examples } };
      parentPort.postMessage({ type: 'stats', ...counts, latencies, endpoints, sentAt, duplicateAt }, [latencies.buffer, endpoints.buffer, sentAt.buffer, duplicateAt.buffer]);
    } else if (message.type === 'window') {
      // The latencies recorded since the last 'window' (the soak's per-minute figures).
      const latencies = Float64Array.from(state.latencies.slice(state.windowFrom));
      state.windowFrom = state.latencies.length;
      parentPort.postMessage({ type: 'window', latencies, delivered: state.latencies.length, duplicates: state.duplicates }, [latencies.buffer]);
    } else if (message.type === 'seen') {
      // "<seq> <endpoint>" of every pair received at least once.
      parentPort.postMessage({ type: 'seen', pairs: [...state.seenSeq] });
    } else if (message.type === 'close') {
      for (const server of [...servers, hangServer].filter(Boolean)) {
        server.closeAllConnections();
        server.close();
      }
      await sleep(0);
      parentPort.postMessage({ type: 'closed' });
      parentPort.close();
    }
  });
  parentPort.postMessage({ type: 'ready', ports: servers.map((server) => server.address().port), hangPort: hangServer?.address().port ?? null });
}

if (!isMainThread && workerData?.apps !== undefined) await receiver(workerData);
