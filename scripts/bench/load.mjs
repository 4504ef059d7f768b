// Load for the benchmark and the chaos test: event payloads that carry their scheduled send time,
// a generator at a fixed rate (or as fast as accepted), a client for the API, and the wait for
// the deliveries. Plain ESM JavaScript for Node 24; imported, never run.
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from './harness.mjs';

/** The generator's tick when publishing at a fixed rate. */
const TICK_MS = 5;
/** The longest a drain waits in all. */
const MAX_RUN_MS = 30 * 60_000;

// ---- events ------------------------------------------------------------------------------------

/**
 * The payload of event `seq` of a phase: its scheduled send time travels with it. Padded so that
 * its JSON is about `bytes` long.
 */
export function makePayloadFactory(phase, bytes) {
  const probe = JSON.stringify({ bench: { phase, seq: 1_000_000, at: Date.now() }, pad: '' }).length;
  const pad = 'x'.repeat(Math.max(0, bytes - probe));
  return (seq, at) => ({ bench: { phase, seq, at }, pad });
}

/**
 * Publishes `events` events at `rate` per second (or as fast as `send` accepts them), in batches
 * of whatever came due since the last tick. `send(batch)` gets [{ seq, at }] and resolves once
 * the batch is accepted; at most `inFlight` sends run at once. `stop()`, if given, ends it early
 * once true. Returns the publish time span and how many events were handed to `send`.
 */
export async function generate({ events, rate, inFlight, batchMax, send, stop }) {
  const running = new Set();
  const errors = [];
  const started = Date.now();
  let next = 0;
  const dispatch = async (batch) => {
    while (running.size >= inFlight) await Promise.race(running);
    const work = send(batch).catch((error) => errors.push(error));
    running.add(work);
    void work.finally(() => running.delete(work));
  };
  while (next < events) {
    if (errors.length > 0 || stop?.()) break;
    if (rate === 'max') {
      const at = Date.now();
      const batch = [];
      for (; next < events && batch.length < batchMax; next++) batch.push({ seq: next, at });
      await dispatch(batch);
      continue;
    }
    const due = Math.min(events, Math.floor(((Date.now() - started) * rate) / 1000) + 1);
    if (due > next) {
      for (let from = next; from < due; from += batchMax) {
        const batch = [];
        for (let seq = from; seq < Math.min(due, from + batchMax); seq++) batch.push({ seq, at: started + (seq * 1000) / rate });
        await dispatch(batch);
      }
      next = due;
    }
    if (next < events) {
      const nextDue = started + (next * 1000) / rate;
      await sleep(Math.max(1, Math.min(TICK_MS, nextDue - Date.now())));
    }
  }
  await Promise.allSettled([...running]);
  if (errors.length > 0) throw new Error(`publishing failed: ${errors[0].message}`, { cause: errors[0] });
  return { started, ended: Date.now(), sent: next };
}

// ---- HTTP client for the API -------------------------------------------------------------------

export async function apiClient(baseUrls, token, concurrency) {
  const { Agent, request } = await import('undici');
  const agent = new Agent({ connections: Math.max(8, Math.ceil(concurrency / baseUrls.length)), keepAliveTimeout: 30_000 });
  let turn = 0;
  const call = async (method, path, body, headers) => {
    const base = baseUrls[turn++ % baseUrls.length];
    const response = await request(`${base}${path}`, {
      dispatcher: agent,
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: globalThis.AbortSignal.timeout(30_000),
    });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? JSON.parse(text) : null };
  };
  return { call, close: () => agent.close() };
}

/** Runs `work(item)` over `items` with at most `limit` at once. */
export async function pool(items, limit, work) {
  const results = new Array(items.length);
  let index = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (index < items.length) {
      const mine = index++;
      results[mine] = await work(items[mine], mine);
    }
  });
  await Promise.all(runners);
  return results;
}

// ---- waiting for the deliveries ----------------------------------------------------------------

/**
 * Waits until `expected` deliveries are accounted for (received + dead), or nothing new arrived
 * for idleTimeoutMs, or MAX_RUN_MS passed. `dead()` (optional) counts dead letters.
 */
export async function drain({ receiver, expected, idleTimeoutMs, dead, label, onTick, stopIf }) {
  const started = Date.now();
  let lastProgress = Date.now();
  let lastCount = -1;
  let lastDead = 0;
  let lastLog = Date.now();
  for (let round = 0; Date.now() - started < MAX_RUN_MS; round++) {
    const { delivered } = await receiver.ask({ type: 'count' });
    if (dead && round % 4 === 0) lastDead = await dead();
    if (onTick && round % 8 === 0) await onTick();
    if (delivered + lastDead !== lastCount) {
      lastCount = delivered + lastDead;
      lastProgress = Date.now();
    }
    if (delivered + lastDead >= expected) {
      return { timedOut: false };
    }
    if (Date.now() - lastProgress > idleTimeoutMs) return { timedOut: true };
    if (stopIf?.()) return { timedOut: false, stopped: true };
    if (Date.now() - lastLog > 5_000) {
      log(`${label}: ${delivered} delivered${dead ? `, ${lastDead} dead` : ''} of ${expected}${onTick?.describe ? `; ${onTick.describe()}` : ''}`);
      lastLog = Date.now();
    }
    await sleep(250);
  }
  return { timedOut: true };
}

