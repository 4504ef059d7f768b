// What the benchmarks and the chaos test share: options, the build check, Kafka and PostgreSQL
// from scripts/stack (or the environment), the services as child processes, cleanup on exit and
// on signals, and percentiles. Plain ESM JavaScript for Node 24; imported, never run.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SERVICES = ['ingest', 'fanout', 'delivery', 'retry'];
export const mainOf = (service) => join(ROOT, `apps/${service}/dist/main.js`);

/** A mistake in the command line: exit code 2 with the usage line. */
export class UsageError extends Error {}

export const log = (text) => process.stderr.write(`bench: ${text}\n`);

// ---- options -----------------------------------------------------------------------------------

export function parseDurationMs(text, flag, { allowZero = false } = {}) {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(String(text).trim());
  const value = match ? Number(match[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2]] : NaN;
  if (!(value > 0 || (allowZero && value === 0))) throw new UsageError(`--${flag}: expected a duration like 0ms, 250ms, 5s or 2m, got "${text}"`);
  return value;
}

/** Reads an integer option of parseArgs' `values`, within bounds. */
export const integerOption = (values) => (name, min, max) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name}: expected an integer from ${min} to ${max}, got "${values[name]}"`);
  return value;
};

/** What every script takes beside its own options. */
const COMMON_OPTIONS = {
  'no-build': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

/** The leading comment of a script (its usage text), for --help. */
function readHeader(moduleUrl) {
  const lines = readFileSync(fileURLToPath(moduleUrl), 'utf8').split('\n');
  const end = lines.findIndex((line) => !line.startsWith('//'));
  return lines
    .slice(0, end)
    .map((line) => line.replace(/^\/\/ ?/, ''))
    .join('\n');
}

/** How the script was run, for the report. */
export const commandLine = (moduleUrl) => ['node', relative(process.cwd(), fileURLToPath(moduleUrl)), ...process.argv.slice(2)].join(' ');

// ---- build -------------------------------------------------------------------------------------

function newestMtime(dir, filter) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !filter(entry.name)) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Why dist/ needs a build (missing, or older than its sources), or null when it is current. */
function buildReason() {
  for (const service of SERVICES) if (!existsSync(mainOf(service))) return `apps/${service}/dist is missing`;
  const packages = ['libs', 'apps'].flatMap((group) => readdirSync(join(ROOT, group)).map((name) => join(ROOT, group, name)));
  for (const dir of packages) {
    if (!existsSync(join(dir, 'src'))) continue;
    if (!existsSync(join(dir, 'dist'))) return `${relative(ROOT, dir)}/dist is missing`;
    const source = newestMtime(join(dir, 'src'), (name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'));
    const built = newestMtime(join(dir, 'dist'), (name) => name.endsWith('.js'));
    if (source > built) return `${relative(ROOT, dir)}/dist is older than its sources`;
  }
  return null;
}

/** Builds when dist/ is missing or stale, unless `build` is false (then it must exist). */
export async function ensureBuilt(build) {
  if (!build) {
    for (const service of SERVICES) if (!existsSync(mainOf(service))) throw new UsageError(`apps/${service}/dist/main.js is missing and --no-build was given: run \`npm run build\``);
    return;
  }
  const reason = buildReason();
  if (!reason) return;
  log(`${reason}: running scripts/build.sh`);
  const { code } = await run('bash', ['scripts/build.sh']);
  if (code !== 0) throw new Error(`scripts/build.sh failed (exit ${code})`);
}

// ---- processes ---------------------------------------------------------------------------------

/** Runs a command to completion; stdout is returned, stderr goes to ours. */
export function run(command, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code: code ?? 128, signal, out }));
  });
}

/** The ports freePort has handed out in this run: never handed out twice, even to services started at once. */
const handedOut = new Set();

/**
 * A port nothing listens on, for a service started next to bind: 30000-32767, just below the
 * kernel's range of ephemeral ports (ip_local_port_range, from 32768) and above the stack
 * scripts' ports (15432, 19092, 25432, 29092, ...). A port from `listen(0)` is an ephemeral one,
 * which the kernel may give to an outgoing connection before the service binds it: a chaos run
 * lost ingest to EADDRINUSE that way.
 */
export async function freePort() {
  for (;;) {
    const port = 30_000 + Math.floor(Math.random() * 2_768);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    const bound = await new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
    });
    if (bound) return port;
  }
}

/** The project's Node 24 if installed, else the one running this script. */
export function nodeBinary() {
  const local = join(ROOT, 'node_modules/.bin/node');
  return existsSync(local) ? local : process.execPath;
}

/**
 * Starts `apps/<service>/dist/main.js` with `env` on a health (and, for ingest, API) port of its
 * own; its output goes to our stderr, and the time of each line it writes is kept in
 * `lineTimes` (so a run can say how much a fault made it log). `nodeArgs` go before the script
 * (e.g. --cpu-prof).
 */
export async function startService(service, env, { name = service, nodeArgs = [] } = {}) {
  const port = await freePort();
  const childEnv = { ...env, HOOKLINE_HEALTH_PORT: String(port), ...(service === 'ingest' && { HOOKLINE_API_PORT: String(port) }) };
  const child = spawn(nodeBinary(), [...nodeArgs, mainOf(service)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv });
  const instance = { name, service, port, child, spawnedAt: Date.now(), stopping: false, lineTimes: [] };
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      process.stderr.write(chunk);
      const now = Date.now();
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) instance.lineTimes.push(now);
    });
  }
  return instance;
}

/**
 * The environment of a run's services: its stack and topic prefix, a generated admin token and
 * secrets keyring, http deliveries to 127.0.0.0/8 allowed, a 5 s shutdown grace, then
 * `settings`. Returned with the admin token.
 */
export function serviceEnvironment({ kafkaUrl, databaseUrl, prefix }, settings) {
  const adminToken = `hk_admin_${randomBytes(24).toString('base64url')}`;
  const env = {
    ...process.env,
    KAFKA_BROKERS: kafkaUrl,
    DATABASE_URL: databaseUrl,
    HOOKLINE_TOPIC_PREFIX: prefix,
    HOOKLINE_ADMIN_TOKEN: adminToken,
    HOOKLINE_SECRETS_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    HOOKLINE_DELIVERY_ALLOW_HTTP: 'true',
    HOOKLINE_DELIVERY_ALLOWED_SUBNETS: '127.0.0.0/8',
    HOOKLINE_SHUTDOWN_GRACE: '5s',
    ...settings,
  };
  return { adminToken, env };
}

export const exited = (instance) => instance.child.exitCode !== null || instance.child.signalCode !== null;

/** Waits for GET /health/ready to answer 200. */
export async function waitReady(instance, deadline) {
  const url = `http://127.0.0.1:${instance.port}/health/ready`;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited(instance)) throw new Error(`${instance.name} exited during start-up (${instance.child.exitCode ?? instance.child.signalCode}); its log is above`);
    try {
      const response = await fetch(url, { signal: globalThis.AbortSignal.timeout(3_000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status} ${await response.text()}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(250);
  }
  throw new Error(`${instance.name} was not ready in time (${url}: ${last})`);
}

/** SIGTERM, and SIGKILL if it has not exited after `timeoutMs`. */
export async function stopService(instance, timeoutMs = 20_000) {
  const { child } = instance;
  instance.stopping = true;
  if (exited(instance)) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    log(`${instance.name} (pid ${child.pid}) still running after ${timeoutMs / 1000} s: SIGKILL`);
    child.kill('SIGKILL');
  }, timeoutMs);
  await gone;
  clearTimeout(timer);
}

// ---- cleanup -----------------------------------------------------------------------------------

/** Steps run last-in first-out, once, on success, failure and SIGINT/SIGTERM/SIGHUP alike. */
export class Cleanups {
  steps = [];
  running = null;

  constructor() {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
      process.once(signal, () => {
        log(`${signal}: cleaning up`);
        this.run().finally(() => process.exit(130));
      });
    }
  }

  push(step) {
    this.steps.push(step);
  }

  run() {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step();
        } catch (error) {
          log(`cleanup: ${error.message}`);
        }
      }
    })();
    return this.running;
  }
}

// ---- Kafka and PostgreSQL ----------------------------------------------------------------------

/**
 * KAFKA_BROKERS / DATABASE_URL from `env`, or the local one from scripts/stack (started here
 * and stopped at cleanup, unless it was already running).
 */
async function ensureDependency(component, variable, env, cleanups) {
  if (env[variable]) return env[variable];
  const script = `scripts/stack/${component}.sh`;
  const wasRunning = (await run('bash', [script, 'status'], env)).code === 0;
  const { code, out } = await run('bash', [script, 'start'], env);
  const line = out.split('\n').find((text) => text.startsWith(`${variable}=`));
  if (!wasRunning && code === 0) cleanups.push(async () => void (await run('bash', [script, 'stop'], env)));
  if (code !== 0 || !line) throw new Error(`${script} start failed (exit ${code})`);
  log(`${variable} from ${script}${wasRunning ? ' (already running, left running)' : ' (started, stopped at the end)'}`);
  return line.slice(variable.length + 1);
}

/**
 * Kafka and PostgreSQL, started in parallel (the JVM is the slow one). On the local cluster the
 * run gets a database of its own (`database`, created once) with the migrations applied, so its
 * rows never mix with the development database's. `env` may move the local stack (its
 * HOOKLINE_*_PORT and HOOKLINE_*_STATE_DIR variables).
 */
export async function startStack(cleanups, { database, env = process.env }) {
  const [kafka, postgres] = await Promise.allSettled([ensureDependency('kafka', 'KAFKA_BROKERS', env, cleanups), ensureDependency('postgres', 'DATABASE_URL', env, cleanups)]);
  for (const dependency of [kafka, postgres]) if (dependency.status === 'rejected') throw dependency.reason;
  let databaseUrl = postgres.value;
  const pg = (await import('pg')).default;
  if (!env.DATABASE_URL) {
    const bootstrap = new pg.Client({ connectionString: databaseUrl, application_name: 'hookline-bench' });
    await bootstrap.connect();
    try {
      const exists = await bootstrap.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await bootstrap.query(`CREATE DATABASE ${database}`);
    } finally {
      await bootstrap.end();
    }
    const url = new URL(databaseUrl);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  }
  log('running migrations');
  const migrated = await run(nodeBinary(), ['node_modules/typeorm/cli.js', 'migration:run', '-d', 'libs/database/dist/data-source.js'], { ...env, DATABASE_URL: databaseUrl });
  if (migrated.code !== 0) throw new Error(`migrations failed (exit ${migrated.code})`);
  return { kafkaUrl: kafka.value, brokers: kafka.value.split(',').map((item) => item.trim()).filter(Boolean), databaseUrl, pg };
}

/**
 * TLS and SASL for the bench's own kafkajs clients (spread into `new Kafka({...})`), from the
 * same HOOKLINE_KAFKA_* settings the services read and the same code (libs/config, libs/kafka):
 * a bench against a secured cluster connects like the services do. Empty for plaintext.
 */
export async function kafkaSecurity(kafkaUrl, env = process.env) {
  const { loadConfig } = await import('@hookline/config');
  const { kafkaSecurityOptions, registerCompressionCodecs } = await import('@hookline/kafka');
  registerCompressionCodecs();
  // Only the Kafka settings matter here; the database URL satisfies the loader.
  const config = loadConfig('fanout', { ...env, KAFKA_BROKERS: kafkaUrl, DATABASE_URL: env.DATABASE_URL || 'postgres://unused.invalid/hookline' });
  return kafkaSecurityOptions(config.kafka);
}

/**
 * A Kafka admin client, connected. Registered as a cleanup before the services are, it runs after
 * they stopped: it deletes the topics of the run's prefix and its consumer groups (`groups`,
 * without the prefix), then disconnects, so a run leaves nothing behind.
 */
export async function prefixAdmin(kafka, cleanups, prefix, groups) {
  const admin = kafka.admin();
  await admin.connect();
  cleanups.push(async () => {
    try {
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${prefix}.`));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 20_000 });
      await admin.deleteGroups(groups.map((group) => `${prefix}.${group}`)).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
  });
  return admin;
}

// ---- statistics --------------------------------------------------------------------------------

/** Nearest-rank percentiles of a list of numbers. */
export function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (p) => (sorted.length === 0 ? NaN : sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]);
  return { count: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: sorted.length ? sorted[sorted.length - 1] : NaN, min: sorted.length ? sorted[0] : NaN };
}

export const fmt = (value) => (Number.isNaN(value) ? '-' : String(Math.round(value)));

// ---- entry point -------------------------------------------------------------------------------

/**
 * The entry point of a script, run under the project's Node 24 (handing over to it when started
 * by an older node). Its command line is parsed strictly against `options` and the --help and
 * --no-build every script takes; `parse(values)` checks them (a UsageError exits 2 with `usage`).
 * --help prints the script's leading comment; otherwise `main({ ...parsed, build })` runs and
 * resolves with the exit code.
 */
export async function runMain(moduleUrl, { usage, options, parse, main }) {
  if (Number(process.versions.node.split('.')[0]) < 24) {
    const local = nodeBinary();
    if (local === process.execPath) {
      process.stderr.write(`bench: needs Node 24 (this is ${process.version}); run \`npm install\` for the project's own\n`);
      process.exit(2);
    }
    const child = spawn(local, [fileURLToPath(moduleUrl), ...process.argv.slice(2)], { stdio: 'inherit' });
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
    return;
  }
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: { ...options, ...COMMON_OPTIONS }, strict: true, allowPositionals: false });
    const parsed = parse(values);
    if (values.help) {
      process.stdout.write(`${readHeader(moduleUrl)}\n`);
      process.exitCode = 0;
    } else {
      process.exitCode = await main({ ...parsed, build: !values['no-build'] });
    }
  } catch (error) {
    if (error instanceof UsageError || error?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || error?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`bench: ${error.message}\nusage: ${usage} (--help)\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`bench: FAILED: ${error?.stack ?? error}\n`);
      process.exitCode = 1;
    }
  }
  // Open handles (kafkajs timers) must not keep a finished run alive.
  process.exit(process.exitCode);
}
