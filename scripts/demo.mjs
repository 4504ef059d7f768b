// npm run demo: one webhook end to end against a running Hookline (`npm start` in another
// terminal). Starts a receiver on 127.0.0.1, registers it with the svix SDK, sends one event,
// verifies the signature with standardwebhooks and lists the attempts. Plain ESM JavaScript:
// scripts run on Node 24 without a TypeScript loader.
// Reads HOOKLINE_API_URL (default http://127.0.0.1:8080) and HOOKLINE_ADMIN_TOKEN (default: the
// token `npm start` keeps in .local/admin-token). Exits 0 on success, 1 with a reason otherwise.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { ApiException, Svix } from 'svix';

const WAIT_FOR_DELIVERY_MS = 30_000;
const WAIT_FOR_ATTEMPTS_MS = 10_000;
const EVENT = { eventType: 'project.created', payload: { project_id: '12345', name: 'New Marketing Campaign' } };

const apiUrl = (process.env.HOOKLINE_API_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');

class DemoError extends Error {}

function adminToken() {
  if (process.env.HOOKLINE_ADMIN_TOKEN) return process.env.HOOKLINE_ADMIN_TOKEN;
  const file = fileURLToPath(new URL('../.local/admin-token', import.meta.url));
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token) return token;
  } catch {
    // Reported below.
  }
  throw new DemoError(`no admin token: set HOOKLINE_ADMIN_TOKEN, or run \`npm start\` (it writes ${file})`);
}

/** A local endpoint that records each request and answers 204 at once. */
async function startReceiver() {
  const requests = [];
  const waiters = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      res.writeHead(204).end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}/webhook`,
    /** The first request, or a DemoError after timeoutMs. */
    async next(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new DemoError(`no webhook arrived within ${timeoutMs / 1000} s: is the delivery service running? (check the \`npm start\` log)`);
        await Promise.race([new Promise((wake) => waiters.push(wake)), sleep(Math.min(left, 500))]);
      }
      return requests[0];
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Turns SDK and network failures into a message that says what to do. */
function explain(error) {
  if (error instanceof DemoError) return error.message;
  if (error instanceof ApiException) {
    if (error.code === 401 || error.code === 403) {
      return `the API refused the admin token (HTTP ${error.code}): set HOOKLINE_ADMIN_TOKEN to the token \`npm start\` printed`;
    }
    return `the API answered HTTP ${error.code}: ${JSON.stringify(error.body)}`;
  }
  const cause = error?.cause?.code ?? error?.code;
  if (cause === 'ECONNREFUSED' || error?.message === 'fetch failed') {
    return `cannot reach the Hookline API at ${apiUrl} (${cause ?? error.message}): start it with \`npm start\`, or set HOOKLINE_API_URL`;
  }
  return error?.stack ?? String(error);
}

async function main() {
  const token = adminToken();
  const svix = new Svix(token, { serverUrl: apiUrl });
  const receiver = await startReceiver();
  try {
    console.log(`Hookline API: ${apiUrl}`);
    console.log(`Receiver:     ${receiver.url}\n`);

    try {
      await svix.eventType.create({ name: EVENT.eventType, description: 'A project was created' });
      console.log(`created event type ${EVENT.eventType}`);
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
      console.log(`event type ${EVENT.eventType} already exists`);
    }
    const app = await svix.application.create({ name: `Demo ${new Date().toISOString()}` });
    console.log(`created application ${app.id}`);
    const endpoint = await svix.endpoint.create(app.id, { url: receiver.url, eventTypes: [EVENT.eventType], description: 'npm run demo' });
    console.log(`created endpoint ${endpoint.id} -> ${endpoint.url}`);
    const { key: secret } = await svix.endpoint.getSecret(app.id, endpoint.id);
    console.log(`endpoint secret ${secret.slice(0, 12)}…`);

    const sentAt = Date.now();
    const message = await svix.message.create(app.id, EVENT);
    console.log(`sent message ${message.id}: ${JSON.stringify(EVENT)}\n`);

    const request = await receiver.next(WAIT_FOR_DELIVERY_MS);
    console.log(`received ${request.method} ${request.path} after ${Date.now() - sentAt} ms`);
    console.log('headers:');
    for (const [name, value] of Object.entries(request.headers)) console.log(`  ${name}: ${value}`);
    console.log(`body:\n  ${request.body}\n`);

    let verified;
    try {
      verified = new Webhook(secret).verify(request.body, request.headers);
    } catch (error) {
      throw new DemoError(`signature verification FAILED: ${error.message}`);
    }
    if (JSON.stringify(verified) !== JSON.stringify(EVENT.payload)) {
      throw new DemoError(`verified payload differs from the one sent: ${JSON.stringify(verified)}`);
    }
    console.log('signature verified\n');

    // The attempt is written in a batch just after the response: give it a moment.
    const deadline = Date.now() + WAIT_FOR_ATTEMPTS_MS;
    let attempts = [];
    while (attempts.length === 0) {
      attempts = (await svix.messageAttempt.listByMsg(app.id, message.id)).data;
      if (attempts.length > 0) break;
      if (Date.now() > deadline) throw new DemoError(`no attempt recorded for ${message.id} within ${WAIT_FOR_ATTEMPTS_MS / 1000} s`);
      await sleep(200);
    }
    console.log(`attempts for ${message.id}:`);
    for (const attempt of attempts) {
      console.log(`  ${attempt.timestamp.toISOString()}  HTTP ${attempt.responseStatusCode}  ${attempt.statusText}  ${attempt.responseDurationMs} ms`);
    }
    if (!attempts.some((attempt) => attempt.responseStatusCode >= 200 && attempt.responseStatusCode < 300)) {
      throw new DemoError('no successful attempt was recorded');
    }
    console.log('\ndemo: OK');
  } finally {
    receiver.close();
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(`\ndemo: FAILED: ${explain(error)}`);
  process.exit(1);
}
