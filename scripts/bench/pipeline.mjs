// npm run bench [-- options]: the whole pipeline, events in to webhooks out, against a bare
// kafkajs baseline on the same machine in the same run. Plain ESM JavaScript for Node 24 (the
// project's own, node_modules/.bin/node, which `npm run` puts first on PATH). A benchmark that
// prints numbers, not a test.
//
//   node scripts/bench/pipeline.mjs [--events 20000] [--rate 1000|max] [--via kafka|api]
//       [--endpoints-per-event 1] [--apps 32] [--payload-bytes 256] [--fail-rate 0.0] [--filters]
//       [--ordering-keys 0]
//       [--receiver-latency 0ms] [--hang-endpoint] [--instances delivery=2,fanout=1,...]
//       [--partitions 6] [--delivery-timeout 15s] [--retry-schedule 1s,2s,5s]
//       [--dead-letter-after 1m] [--baseline | --no-baseline] [--profile delivery]
//       [--api-concurrency 64] [--idempotency-key] [--idle-timeout 30s] [--warmup 3000] [--keep-data] [--no-build]
//       [--soak 15m --retention 2m]
//
//   --events               events to publish (each is delivered to --endpoints-per-event endpoints)
//   --rate                 events per second on a fixed schedule, or `max` (as fast as accepted)
//   --via                  kafka: onto <prefix>.ingest (the high-throughput path); api: POST /msg
//   --endpoints-per-event  fanout: endpoints per application, every one subscribed to the event
//   --apps                 applications (tenants); events go to them round robin. Each has its own
//                          receiver port, i.e. its own origin, as separate customers would
//   --payload-bytes        size of each event's JSON payload
//   --filters              every endpoint holds a payload filter (BENCH_FILTER: eight conditions,
//                          a $regex, an $or, dotted paths) that every event passes, so the ledger
//                          is the same as without: compare fanout's CPU with and without it
//   --ordering-keys        N > 0: every endpoint is FIFO (ordered delivery) and each application's
//                          events carry one of N ordering keys; events are published one batch
//                          (or request) at a time so that their order is their sequence numbers',
//                          and the receiver counts order violations (the run fails on any)
//   --fail-rate            fraction of requests the receiver answers 500 (retried by Hookline
//                          through the tiers; by the baseline in place, up to 5 times)
//   --receiver-latency     how long the receiver takes to answer each request
//   --hang-endpoint        one more endpoint, in the first application, that never answers: its
//                          requests time out after --delivery-timeout. It is left out of the
//                          ledger and the latencies; the report adds the p99 of the endpoints
//                          that share its delivery partition
//   --instances            processes per service, e.g. delivery=2,ingest=2 (1 each by default)
//   --partitions           HOOKLINE_TOPIC_PARTITIONS (and of the baseline's topic)
//   --delivery-timeout     HOOKLINE_DELIVERY_TIMEOUT (and the baseline client's timeout)
//   --retry-schedule       HOOKLINE_RETRY_SCHEDULE, shrunk so a run with failures ends
//   --dead-letter-after    HOOKLINE_DEAD_LETTER_AFTER
//   --baseline             run the baseline first (the default); --no-baseline skips it
//   --profile              services to run under `node --cpu-prof --cpu-prof-dir=.local/profiles`
//                          (comma list); the report summarises each profile's self time over
//                          the measured window (scripts/bench/cpuprofile-summary.mjs)
//   --api-concurrency      requests in flight when publishing through the API
//   --idempotency-key      with --via api: an Idempotency-Key header on every request, as the svix
//                          SDK sends with every message.create
//   --idle-timeout         give up waiting for the last deliveries after this long without one
//   --warmup               events sent (at --rate) and delivered before each measured phase, so
//                          that JIT compilation, pools and caches, and PostgreSQL's statistics
//                          (ANALYZE after it) are as in a system that has been running
//   --keep-data            leave the run's applications (and their messages) in the database
//   --no-build             never run scripts/build.sh (by default it runs when a dist/ is missing
//                          or older than its sources)
//   --soak                 instead of a fixed number of events and a baseline: publish at --rate for
//                          this long, and print every minute the size (tables and indexes) of
//                          messages, message_endpoints, attempts, message_outbox, idempotency_keys
//                          and pending_deletions, the partitions, and the latency percentiles of the
//                          deliveries received in that minute; then wait for the rest as usual
//   --retention            HOOKLINE_RETENTION of the services (longer than --dead-letter-after). A
//                          short one compresses time: with --soak, the sizes must go flat after
//                          the first retention window. The retention sweep drops partitions of the
//                          whole database, so give such a run a DATABASE_URL of its own
//
// Kafka: KAFKA_BROKERS, or the local broker (`scripts/stack/kafka.sh start`). PostgreSQL:
// DATABASE_URL, or `scripts/stack/postgres.sh start`. Whatever the bench starts it stops at the
// end; a broker or database that was already running is left so. On the local cluster the bench
// uses a database of its own, hookline_bench (created once). Migrations are run first.
//
// What it does. A receiver (node:http in a worker thread, on 127.0.0.1, one port per
// application) answers 204 and records, per request, the latency from the event's scheduled
// send time (carried in its payload, so a load generator that falls behind cannot hide its delay)
// to the receipt of the request; it de-duplicates on webhook-id per endpoint and counts the
// duplicates.
// - Baseline: the same events (count, payload, rate, fanout) are produced onto
//   <prefix>.baseline and consumed by ONE bare kafkajs consumer (in a worker thread) that POSTs
//   each to the same endpoint URLs through the same client as delivery (EgressClient from
//   libs/egress/dist, same timeout and sockets per origin), with no database, no signing and no
//   further topics: what moving the bytes costs on this machine.
// - Hookline: the four services run as child processes from dist (`node apps/<svc>/dist/main.js`)
//   on a fresh topic prefix (bench-<random>), with a generated admin token and secrets keyring,
//   HTTP and 127.0.0.0/8 allowed, HOOKLINE_LOG_LEVEL=warn and their own health ports. The
//   applications and endpoints are created through the API, the events published through the
//   API or the ingest topic, and the run waits until every delivery arrived or was dead-lettered.
// The ledger: deliveries expected (events x fanout) = delivered (first receipt of each
// event/endpoint pair) + dead (message_endpoints with status 'dead') + missing. Throughput is
// deliveries per second from the first receipt to the last. Each Hookline figure is also shown as
// a ratio of the baseline's. CPU seconds per component (services, Kafka, PostgreSQL, the bench
// itself) over the run come from /proc.
// Exits 0 when the ledgers balance with nothing missing, 1 otherwise, 2 on a usage error.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Cleanups, commandLine, prefixAdmin, ensureBuilt, fmt, integerOption, kafkaSecurity, log, parseDurationMs, ROOT, runMain, SERVICES, serviceEnvironment, startService, startStack, stopService, summarize, UsageError, waitReady } from './harness.mjs';
import { apiClient, drain, generate, makePayloadFactory, pool } from './load.mjs';
import { startReceiver, workerHandle } from './receiver.mjs';

const EGRESS_DIST = join(ROOT, 'libs/egress/dist/index.js');
const KAFKA_IDLE_FIX_DIST = join(ROOT, 'libs/kafka/dist/connection/idle-request-queue.js');
const PROFILE_DIR = join(ROOT, '.local/profiles');
const EVENT_TYPE = 'bench.event';
/** The database used on the local cluster (when DATABASE_URL is not given). */
const BENCH_DATABASE = 'hookline_bench';
/** As the delivery service: sockets per receiving origin (apps/delivery/src/delivery.module.ts). */
const CONNECTIONS_PER_ORIGIN = 16;
const READY_TIMEOUT_MS = 120_000;
const JOIN_TIMEOUT_MS = 30_000;
const KAFKA_BATCH = 500;
const KAFKA_SENDS_IN_FLIGHT = 8;
const API_ATTEMPTS = 3;
const BASELINE_ATTEMPTS = 5;

// ---- options -----------------------------------------------------------------------------------

const USAGE =
  'node scripts/bench/pipeline.mjs [--events N] [--rate N|max] [--via kafka|api] [--endpoints-per-event N] [--apps N] [--payload-bytes N] [--fail-rate F] [--filters] [--ordering-keys N] [--receiver-latency 0ms] [--hang-endpoint] [--instances svc=N,...] [--no-baseline] [--profile svc]';

/**
 * The filter of --filters: a realistic one of eight conditions over the benchmark's payload,
 * which every event passes (Convoy's syntax, libs/filters).
 */
const BENCH_FILTER = {
  'bench.seq': { $gte: 0 },
  'bench.at': { $gt: 0, $lt: 1e15 },
  'bench.phase': { $in: ['hookline-warmup', 'hookline', 'bench'] },
  pad: { $regex: '^x*$' },
  $or: [{ 'bench.key': { $exist: false } }, { 'bench.key': { $regex: '^key-' } }],
  'bench.missing': { $exist: false },
};

/** The options of parseArgs (harness.mjs adds --help and --no-build). */
const OPTIONS = {
  events: { type: 'string', default: '20000' },
  rate: { type: 'string', default: '1000' },
  via: { type: 'string', default: 'kafka' },
  'endpoints-per-event': { type: 'string', default: '1' },
  apps: { type: 'string', default: '32' },
  'payload-bytes': { type: 'string', default: '256' },
  'fail-rate': { type: 'string', default: '0' },
  filters: { type: 'boolean', default: false },
  'ordering-keys': { type: 'string', default: '0' },
  'receiver-latency': { type: 'string', default: '0ms' },
  'hang-endpoint': { type: 'boolean', default: false },
  instances: { type: 'string', default: '' },
  partitions: { type: 'string', default: '6' },
  'delivery-timeout': { type: 'string', default: '15s' },
  'retry-schedule': { type: 'string', default: '1s,2s,5s' },
  'dead-letter-after': { type: 'string', default: '1m' },
  baseline: { type: 'boolean', default: true },
  'no-baseline': { type: 'boolean', default: false },
  profile: { type: 'string', default: '' },
  'api-concurrency': { type: 'string', default: '64' },
  'idempotency-key': { type: 'boolean', default: false },
  'idle-timeout': { type: 'string', default: '30s' },
  warmup: { type: 'string', default: '3000' },
  'keep-data': { type: 'boolean', default: false },
  soak: { type: 'string', default: '' },
  retention: { type: 'string', default: '' },
};

/** The options as the run uses them, checked. */
function parseOptions(values) {
  const integer = integerOption(values);
  const rate = values.rate === 'max' ? 'max' : Number(values.rate);
  if (rate !== 'max' && !(rate > 0 && rate <= 1_000_000)) throw new UsageError(`--rate: expected events per second (1 to 1000000) or "max", got "${values.rate}"`);
  if (!['kafka', 'api'].includes(values.via)) throw new UsageError(`--via: expected kafka or api, got "${values.via}"`);
  const failRate = Number(values['fail-rate']);
  if (!(failRate >= 0 && failRate < 1)) throw new UsageError(`--fail-rate: expected a fraction from 0 to below 1, got "${values['fail-rate']}"`);
  const instances = Object.fromEntries(SERVICES.map((service) => [service, 1]));
  for (const item of values.instances.split(',').map((text) => text.trim()).filter(Boolean)) {
    const match = /^([a-z]+)=(\d+)$/.exec(item);
    if (!match || !SERVICES.includes(match[1]) || !(Number(match[2]) >= 1 && Number(match[2]) <= 16)) {
      throw new UsageError(`--instances: expected service=count (services ${SERVICES.join(', ')}; count 1 to 16), got "${item}"`);
    }
    instances[match[1]] = Number(match[2]);
  }
  const profile = values.profile.split(',').map((text) => text.trim()).filter(Boolean);
  for (const service of profile) if (!SERVICES.includes(service)) throw new UsageError(`--profile: expected one of ${SERVICES.join(', ')}, got "${service}"`);
  const schedule = values['retry-schedule'].split(',').map((text) => text.trim()).filter(Boolean);
  if (schedule.length === 0) throw new UsageError('--retry-schedule: at least one delay');
  for (const item of schedule) parseDurationMs(item, 'retry-schedule');
  const soakMs = values.soak ? parseDurationMs(values.soak, 'soak') : 0;
  if (soakMs > 0 && rate === 'max') throw new UsageError('--soak: needs a fixed --rate (events per second)');
  if (values['idempotency-key'] && values.via !== 'api') throw new UsageError('--idempotency-key: only with --via api');
  const retentionMs = values.retention ? parseDurationMs(values.retention, 'retention') : 0;
  if (retentionMs > 0 && retentionMs <= parseDurationMs(values['dead-letter-after'], 'dead-letter-after')) {
    throw new UsageError('--retention: must be longer than --dead-letter-after, as the services require');
  }
  return {
    soakMs,
    soak: values.soak,
    retention: values.retention,
    events: soakMs > 0 ? Math.round((rate * soakMs) / 1000) : integer('events', 1, 5_000_000),
    rate,
    via: values.via,
    fanout: integer('endpoints-per-event', 1, 100),
    apps: integer('apps', 1, 500),
    payloadBytes: integer('payload-bytes', 64, 200_000),
    failRate,
    filters: values.filters,
    orderingKeys: integer('ordering-keys', 0, 10_000),
    receiverLatencyMs: parseDurationMs(values['receiver-latency'], 'receiver-latency', { allowZero: true }),
    receiverLatency: values['receiver-latency'],
    hang: values['hang-endpoint'],
    instances,
    partitions: integer('partitions', 1, 1_000),
    deliveryTimeout: values['delivery-timeout'],
    deliveryTimeoutMs: parseDurationMs(values['delivery-timeout'], 'delivery-timeout'),
    retrySchedule: schedule.join(','),
    deadLetterAfter: values['dead-letter-after'],
    deadLetterAfterMs: parseDurationMs(values['dead-letter-after'], 'dead-letter-after'),
    baseline: values.baseline && !values['no-baseline'],
    profile,
    apiConcurrency: integer('api-concurrency', 1, 1_000),
    idempotencyKey: values['idempotency-key'],
    idleTimeoutMs: parseDurationMs(values['idle-timeout'], 'idle-timeout'),
    warmupEvents: integer('warmup', 0, 1_000_000),
    keepData: values['keep-data'],
  };
}

function effectiveLine(o) {
  const instances = SERVICES.map((service) => `${service}=${o.instances[service]}`).join(',');
  return [
    `--events ${o.events} --rate ${o.rate} --via ${o.via} --endpoints-per-event ${o.fanout} --apps ${o.apps} --payload-bytes ${o.payloadBytes}`,
    `${o.via === 'api' ? `--api-concurrency ${o.apiConcurrency}${o.idempotencyKey ? ' --idempotency-key' : ''} ` : ''}--fail-rate ${o.failRate}${o.filters ? ' --filters' : ''} --ordering-keys ${o.orderingKeys} --receiver-latency ${o.receiverLatency}${o.hang ? ' --hang-endpoint' : ''} --instances ${instances} --partitions ${o.partitions}`,
    `--delivery-timeout ${o.deliveryTimeout} --retry-schedule ${o.retrySchedule} --dead-letter-after ${o.deadLetterAfter} --warmup ${o.warmupEvents}${o.baseline ? '' : ' --no-baseline'}${o.profile.length ? ` --profile ${o.profile.join(',')}` : ''}`,
    ...(o.soakMs > 0 || o.retention ? [`${o.soakMs > 0 ? `--soak ${o.soak} ` : ''}${o.retention ? `--retention ${o.retention}` : ''}`.trim()] : []),
  ].join(' ');
}

// ---- processes ---------------------------------------------------------------------------------

/**
 * Nest answers SIGTERM by shutting down and then re-raising the signal at itself, which kills
 * the process before `--cpu-prof` can write its profile. A profiled child gets this listener
 * first: it ignores the signal while Nest's own listener is still there, and exits normally
 * (writing the profile) once Nest has finished and re-raised it.
 */
const PROFILE_EXIT_HOOK = `data:text/javascript,${encodeURIComponent(
  "for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => { if (process.listenerCount(s) === 1) process.exit(0); else process.stderr.write(`bench: pid ${process.pid} received ${s}\\n`); });",
)}`;

// ---- CPU accounting from /proc -----------------------------------------------------------------

const CLOCK_TICKS = 100;

/** utime + stime of one process, in seconds, or null once it is gone. */
function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** CPU seconds of every process whose command name is `comm`, by pid. */
function cpuByComm(comm) {
  const out = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() !== comm) continue;
    } catch {
      continue;
    }
    const seconds = processCpuSeconds(name);
    if (seconds !== null) out.set(name, seconds);
  }
  return out;
}

/** Busy and total jiffies of the whole machine (/proc/stat). */
function machineTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + (fields[4] ?? 0);
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

/** A snapshot to diff: the services by instance, Kafka (java), PostgreSQL, the bench itself. */
function cpuSnapshot(instances) {
  const usage = process.cpuUsage();
  return {
    at: Date.now(),
    machine: machineTicks(),
    bench: (usage.user + usage.system) / 1e6,
    services: new Map(instances.map((instance) => [instance.name, processCpuSeconds(instance.child.pid)])),
    java: cpuByComm('java'),
    postgres: cpuByComm('postgres'),
  };
}

/**
 * CPU seconds per component over the measured phase, and per delivery (µs): compare builds by
 * these rather than by throughput on a shared machine. Kafka and PostgreSQL are every process of
 * that name on the machine: on a shared stack they include other users' work. Returns the table's
 * lines, and all processes' CPU per delivery in µs (for the targets).
 */
function cpuReport(before, after, deliveries) {
  const wall = (after.at - before.at) / 1000;
  const sumDiff = (a, b) => {
    let total = 0;
    for (const [pid, seconds] of b) total += seconds - (a.get(pid) ?? 0);
    return total;
  };
  const rows = [];
  for (const [name, seconds] of after.services) rows.push([name, seconds === null ? NaN : seconds - (before.services.get(name) ?? 0)]);
  if (after.services.size > 1) rows.push(['services together', rows.reduce((sum, [, seconds]) => sum + seconds, 0)]);
  rows.push(['kafka (java)', sumDiff(before.java, after.java)]);
  rows.push(['postgresql', sumDiff(before.postgres, after.postgres)]);
  rows.push(['bench (generator, receiver, baseline)', after.bench - before.bench]);
  const all = rows.filter(([name]) => name !== 'services together').reduce((sum, [, seconds]) => sum + seconds, 0);
  rows.push(['all processes', all]);
  const machine = (after.machine.busy - before.machine.busy) / Math.max(1, after.machine.total - before.machine.total);
  const lines = [`cpu over ${wall.toFixed(1)} s (cpu-seconds, % of one core, µs per delivery; whole machine ${(machine * 100).toFixed(0)}% busy of ${availableParallelism()} cores):`];
  const perDelivery = (seconds) => (deliveries > 0 ? `${((seconds * 1e6) / deliveries).toFixed(0).padStart(6)} µs` : '');
  for (const [name, seconds] of rows) {
    lines.push(Number.isNaN(seconds) ? `  ${name.padEnd(38)}      - (the process is gone)` : `  ${name.padEnd(38)}${seconds.toFixed(2).padStart(7)} s ${((100 * seconds) / Math.max(0.001, wall)).toFixed(0).padStart(5)}% ${perDelivery(seconds)}`);
  }
  return { lines, allProcessesUsPerDelivery: deliveries > 0 ? (all * 1e6) / deliveries : NaN };
}

// ---- statistics --------------------------------------------------------------------------------

const ratio = (value, base) => (base > 0 && Number.isFinite(value) && Number.isFinite(base) ? `${(value / base).toFixed(2)}x` : '-');

function latencyLine(label, s, base) {
  const cell = (key) => `${key} ${fmt(s[key]).padStart(6)}${base ? ` (${ratio(s[key], base[key]).padStart(6)})` : ''}`;
  return `${`${label} `.padEnd(19)}${['p50', 'p90', 'p99', 'max'].map(cell).join('   ')}`;
}

// ---- the baseline consumer (worker thread) -----------------------------------------------------

async function baselineWorker({ brokers, topic, groupId, partitions, urlsByApp, hangUrl, timeoutMs, failBackoffMs }) {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  (await import(pathToFileURL(KAFKA_IDLE_FIX_DIST).href)).stopIdleRequestQueuePolling();
  const { EgressClient, AddressPolicy } = await import(pathToFileURL(EGRESS_DIST).href);
  const client = new EgressClient({
    policy: new AddressPolicy({ allowHttp: true, allowedSubnets: ['127.0.0.0/8'] }),
    timeoutMs,
    connectionsPerOrigin: CONNECTIONS_PER_ORIGIN,
  });
  let gaveUp = 0;
  let attempts = 0;
  const kafka = new Kafka({ clientId: 'hookline-bench-baseline', brokers, ...(await kafkaSecurity(brokers.join(','))), logLevel: logLevel.WARN });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  consumer.on(consumer.events.GROUP_JOIN, () => parentPort.postMessage({ type: 'joined' }));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  /**
   * One delivery: POST until 2xx, at most BASELINE_ATTEMPTS times with a short backoff when the
   * receiver answered an error; a timeout or a connection failure is not retried.
   */
  const deliver = async (url, id, body) => {
    for (let attempt = 1; attempt <= BASELINE_ATTEMPTS; attempt++) {
      attempts++;
      const outcome = await client.post({ url, headers: { 'webhook-id': id, 'content-type': 'application/json' }, body });
      if (outcome.ok) return;
      if (outcome.statusCode === null) break;
      if (attempt < BASELINE_ATTEMPTS) await sleep(failBackoffMs * 2 ** (attempt - 1));
    }
    // The hanging endpoint is left out of the ledger.
    if (url !== hangUrl) gaveUp++;
  };
  await consumer.run({
    partitionsConsumedConcurrently: partitions,
    // Every record of a fetched batch at once, each to all its endpoints; the batch's offsets
    // are committed when all are done.
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      await Promise.all(
        batch.messages.map(async (message) => {
          const app = Number(message.key.toString());
          const value = JSON.parse(message.value.toString());
          const body = JSON.stringify(value.payload);
          await Promise.all(urlsByApp[app].map((url) => deliver(url, value.eventId, body)));
        }),
      );
      resolveOffset(batch.messages.at(-1).offset);
      await heartbeat();
    },
  });
  parentPort.on('message', async (message) => {
    if (message.type === 'stats') parentPort.postMessage({ type: 'stats', gaveUp, attempts });
    else if (message.type === 'close') {
      await consumer.disconnect().catch(() => undefined);
      await client.close().catch(() => undefined);
      parentPort.postMessage({ type: 'closed' });
      parentPort.close();
    }
  });
}

// ---- the benchmark -----------------------------------------------------------------------------

/**
 * The run: the stack and a receiver, the baseline, then Hookline on the same load; the report on
 * stdout. Everything started is stopped at the end (cleanups), whatever happens.
 */
async function main(options) {
  const loadBefore = loadavg().map((value) => value.toFixed(2)).join(' ');
  await ensureBuilt(options.build);
  const cleanups = new Cleanups();
  try {
    const bench = await prepare(options, cleanups);
    const out = [];
    out.push('');
    out.push('pipeline benchmark');
    out.push(`command          ${commandLine(import.meta.url)}`);
    out.push(`effective        ${effectiveLine(options)}`);
    out.push(`machine          ${availableParallelism()} cores, load average ${loadBefore} before the run; node ${process.version}`);
    out.push(`kafka            ${bench.kafkaUrl}; prefix ${bench.prefix}`);
    out.push(`postgresql       ${bench.databaseUrl.replace(/:[^:@/]*@/, ':***@')}`);
    out.push(`events           ${options.events} over ${options.apps} applications x ${options.fanout} endpoints = ${bench.expected} deliveries expected${options.hang ? ' (+ the hanging endpoint, not counted)' : ''}`);

    const failures = [];
    if (options.soakMs > 0) {
      await runSoak(bench, out, failures);
    } else {
      const baseline = options.baseline ? await runBaseline(bench, out, failures) : null;
      const hookline = await runHookline(bench, baseline, out, failures);
      if (options.profile.length > 0) await reportProfiles(hookline, out);
    }

    const ok = failures.length === 0;
    out.push('');
    out.push(`result           ${ok ? 'OK' : `FAILED: ${failures.join('; ')}`}`);
    process.stdout.write(`${out.join('\n')}\n`);
    return ok ? 0 : 1;
  } finally {
    await cleanups.run();
  }
}

/**
 * What both phases share: Kafka and PostgreSQL, a database client, a Kafka admin and producer,
 * and the receiver with the URL of every endpoint, on a fresh topic prefix.
 */
async function prepare(options, cleanups) {
  const { Kafka, Partitioners, logLevel } = (await import('kafkajs')).default;
  // The bench's own clients and the baseline's consumer get the services' correction of kafkajs's
  // idle request-queue loop, so that neither side pays for it (docs/performance.md).
  (await import(pathToFileURL(KAFKA_IDLE_FIX_DIST).href)).stopIdleRequestQueuePolling();
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const { kafkaUrl, brokers, databaseUrl, pg } = await startStack(cleanups, { database: BENCH_DATABASE });
  const db = new pg.Client({ connectionString: databaseUrl, application_name: 'hookline-bench' });
  await db.connect();
  cleanups.push(() => db.end());

  const kafka = new Kafka({ clientId: 'hookline-bench', brokers, ...(await kafkaSecurity(kafkaUrl)), logLevel: logLevel.WARN, retry: { initialRetryTime: 200, retries: 8 } });
  const admin = await prefixAdmin(kafka, cleanups, prefix, [...SERVICES, 'baseline']);
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  cleanups.push(() => producer.disconnect());

  const receiver = await startReceiver({ apps: options.apps, failRate: options.failRate, latencyMs: options.receiverLatencyMs, hang: options.hang });
  const { ports, hangPort } = receiver;
  cleanups.push(() => receiver.close());
  return {
    options,
    cleanups,
    prefix,
    kafkaUrl,
    brokers,
    databaseUrl,
    db,
    admin,
    producer,
    Partitioners,
    receiver,
    // Endpoint n belongs to application floor(n / fanout); each application has its own port.
    urlsByApp: ports.map((port, app) => Array.from({ length: options.fanout }, (_, k) => `http://127.0.0.1:${port}/e/${app * options.fanout + k}`)),
    hangUrl: hangPort ? `http://127.0.0.1:${hangPort}/e/hang` : null,
    expected: options.events * options.fanout,
    appOf: (seq) => seq % options.apps,
  };
}

// ---- the baseline ------------------------------------------------------------------------------

/** The same load through one bare kafkajs consumer (baselineWorker): what moving the bytes costs. */
async function runBaseline(bench, out, failures) {
  const { options, prefix, brokers, admin, producer, receiver, urlsByApp, hangUrl, expected, appOf } = bench;
  const topic = `${prefix}.baseline`;
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: options.partitions, replicationFactor: -1 }] });
  await receiver.ask({ type: 'reset', phase: 'baseline' });
  const worker = workerHandle(
    new Worker(new URL(import.meta.url), {
      workerData: {
        role: 'baseline',
        brokers,
        topic,
        groupId: `${prefix}.baseline`,
        partitions: options.partitions,
        urlsByApp: urlsByApp.map((urls, app) => (app === 0 && hangUrl ? [...urls, hangUrl] : urls)),
        hangUrl,
        timeoutMs: options.deliveryTimeoutMs,
        failBackoffMs: 100,
      },
    }),
  );
  worker.worker.on('error', (error) => log(`baseline consumer: ${error.stack ?? error}`));
  const stopBaseline = async () => {
    await worker.ask({ type: 'close' }, 'closed', 30_000).catch(() => undefined);
    await worker.worker.terminate();
  };
  await worker.next('joined', JOIN_TIMEOUT_MS);
  log('baseline: consumer joined; publishing');
  const publishBaseline = (phase, events) => {
    const payloadOf = makePayloadFactory(phase, options.payloadBytes);
    return generate({
      events,
      rate: options.rate,
      inFlight: KAFKA_SENDS_IN_FLIGHT,
      batchMax: KAFKA_BATCH,
      send: (batch) =>
        producer.send({
          topic,
          acks: -1,
          messages: batch.map(({ seq, at }) => ({ key: String(appOf(seq)), value: JSON.stringify({ eventType: EVENT_TYPE, eventId: `${prefix}-${phase}-${seq}`, payload: payloadOf(seq, at) }) })),
        }),
    });
  };
  if (options.warmupEvents > 0) {
    await receiver.ask({ type: 'reset', phase: 'baseline-warmup' });
    await publishBaseline('baseline-warmup', options.warmupEvents);
    await drain({ receiver, expected: options.warmupEvents * options.fanout, idleTimeoutMs: options.idleTimeoutMs, label: 'baseline warm-up' });
    await receiver.ask({ type: 'reset', phase: 'baseline' });
  }
  const cpuBefore = cpuSnapshot([]);
  const published = await publishBaseline('baseline', options.events);
  log(`baseline: published ${options.events} events in ${published.ended - published.started} ms; waiting for deliveries`);
  const gaveUpNow = async () => (await worker.ask({ type: 'stats' })).gaveUp * 1;
  const { timedOut } = await drain({ receiver, expected, idleTimeoutMs: options.idleTimeoutMs, dead: gaveUpNow, label: 'baseline' });
  const cpuAfter = cpuSnapshot([]);
  await sleep(500);
  const stats = await receiver.ask({ type: 'stats' });
  const consumerStats = await worker.ask({ type: 'stats' });
  await stopBaseline();
  const delivered = stats.latencies.length;
  const missing = expected - delivered - consumerStats.gaveUp;
  const spanS = (stats.last - stats.first) / 1000;
  const baseline = { rate: spanS > 0 ? delivered / spanS : NaN, latency: summarize(stats.latencies) };
  out.push('');
  out.push('baseline: one bare kafkajs consumer -> EgressClient, no database, no signing');
  out.push(`  published      ${options.events} events in ${((published.ended - published.started) / 1000).toFixed(1)} s (${Math.round(options.events / Math.max(0.001, (published.ended - published.started) / 1000))} events/s)`);
  out.push(`  ledger         expected ${expected} = delivered ${delivered} + gave up ${consumerStats.gaveUp} + missing ${missing}   ${missing === 0 ? 'OK' : 'DOES NOT BALANCE'}${timedOut ? ` (stopped waiting after ${options.idleTimeoutMs / 1000} s without progress)` : ''}`);
  out.push(`  duplicates     ${stats.duplicates}; receiver answered ${stats.failed} with 500${options.hang ? `; hanging endpoint got ${stats.hang} requests` : ''}`);
  out.push(`  deliveries/s   ${fmt(baseline.rate)} (${delivered} from first to last receipt over ${spanS.toFixed(1)} s)`);
  out.push(`  ${latencyLine('latency ms', baseline.latency)}`);
  for (const line of cpuReport(cpuBefore, cpuAfter, delivered).lines) out.push(`  ${line}`);
  if (missing !== 0) failures.push(`the baseline ledger does not balance (${missing} missing)`);
  return baseline;
}

// ---- Hookline ----------------------------------------------------------------------------------

/** Hookline's services and an API client spread over its ingest instances, closed with the bench. */
async function startHooklineWithApi(bench) {
  const services = await startHooklineServices(bench);
  const api = await apiClient(
    services.instances.filter((instance) => instance.service === 'ingest').map((instance) => `http://127.0.0.1:${instance.port}/api/v1`),
    services.adminToken,
    bench.options.apiConcurrency,
  );
  bench.cleanups.push(() => api.close());
  return { services, api };
}

/**
 * The same load through Hookline: its services, the applications and endpoints, a warm-up, the
 * measured phase and its report. Returns the services and the measured window, for the profiles.
 */
async function runHookline(bench, baseline, out, failures) {
  const { options, prefix, db, receiver, expected } = bench;
  const { services, api } = await startHooklineWithApi(bench);
  const { endpointIds, hangEndpointId, appIds } = await createApplications(bench, api, services.appIds);
  const countDead = async () =>
    Number((await db.query(`SELECT count(*)::int AS n FROM message_endpoints WHERE status = 'dead' AND endpoint_id = ANY($1::uuid[])`, [endpointIds])).rows[0].n);
  const publisher = hooklinePublisher(bench, api, appIds);

  if (options.warmupEvents > 0) {
    // Warm the services up (JIT, pools, caches), then let PostgreSQL plan for tables that hold
    // rows: left to plan for the empty tables a run starts with, it scans them sequentially.
    log(`hookline: warming up with ${options.warmupEvents} events`);
    await receiver.ask({ type: 'reset', phase: 'hookline-warmup' });
    await publisher.publish('hookline-warmup', options.warmupEvents);
    await drain({ receiver, expected: options.warmupEvents * options.fanout, idleTimeoutMs: options.idleTimeoutMs, dead: countDead, label: 'hookline warm-up' });
    await db.query('ANALYZE applications, endpoints, messages, message_endpoints, attempts');
  }
  await receiver.ask({ type: 'reset', phase: 'hookline' });
  const cpuBefore = cpuSnapshot(services.instances);
  log(`hookline: publishing via ${options.via}`);
  const published = await publisher.publish('hookline', options.events);
  const publishS = (published.ended - published.started) / 1000;
  log(`hookline: published ${options.events} events in ${Math.round(publishS * 1000)} ms; waiting for deliveries`);
  const backlog = backlogSampler(bench);
  await backlog.sample();
  // A service that died is reported; the wait goes on until the idle timeout, since what it
  // left unfinished is redelivered only to another instance of it.
  const { timedOut } = await drain({
    receiver,
    expected,
    idleTimeoutMs: options.idleTimeoutMs,
    dead: countDead,
    label: 'hookline',
    onTick: backlog.sample,
    stopIf: () => SERVICES.some((service) => services.instances.filter((instance) => instance.service === service).every((instance) => instance.child.exitCode !== null || instance.child.signalCode !== null)),
  });
  const { last } = await receiver.ask({ type: 'count' });
  const cpuAfter = cpuSnapshot(services.instances);
  // Late duplicates and the last attempt rows.
  await sleep(1_000);
  const stats = await receiver.ask({ type: 'stats' });
  const dead = await countDead();
  const statuses = (
    await db.query(`SELECT status::text AS status, count(*)::int AS n FROM message_endpoints WHERE endpoint_id = ANY($1::uuid[]) GROUP BY status ORDER BY status`, [endpointIds])
  ).rows;
  const delivered = stats.latencies.length;
  const missing = expected - delivered - dead;
  const spanS = (stats.last - stats.first) / 1000;
  const rate = spanS > 0 ? delivered / spanS : NaN;
  const latency = summarize(stats.latencies);

  out.push('');
  out.push(`hookline: ${SERVICES.map((service) => `${service} x${options.instances[service]}`).join(', ')}; events via ${options.via === 'kafka' ? `the ${prefix}.ingest topic` : 'POST /api/v1/app/{app}/msg'}`);
  out.push(`  published      ${options.events} events in ${publishS.toFixed(1)} s (${Math.round(options.events / Math.max(0.001, publishS))} events/s)${publisher.errors() ? `; ${publisher.errors()} publish attempts failed and were retried` : ''}`);
  out.push(`  ledger         expected ${expected} = delivered ${delivered} + dead ${dead} + missing ${missing}   ${missing === 0 ? 'OK' : 'DOES NOT BALANCE'}${timedOut ? ` (stopped waiting after ${options.idleTimeoutMs / 1000} s without progress)` : ''}`);
  out.push(`  duplicates     ${stats.duplicates} (same webhook-id to the same endpoint again)${stats.duplicatesOtherId ? `; ${stats.duplicatesOtherId} under another webhook-id` : ''}`);
  out.push(`  receiver       ${stats.failed} answered 500 (--fail-rate)${options.hang ? `; the hanging endpoint got ${stats.hang} requests` : ''}${stats.stray ? `; ${stats.stray} stray requests` : ''}${stats.unknown ? `; ${stats.unknown} to unknown paths` : ''}`);
  out.push(`  database       message_endpoints: ${statuses.map((row) => `${row.status} ${row.n}`).join(', ') || 'none'}`);
  out.push(`  backlog        most records waiting for a stage (sampled every 2 s): ${backlog.maxima()}`);
  if (options.orderingKeys > 0) {
    out.push(`  order          FIFO endpoints, ${options.orderingKeys} ordering keys per application: ${stats.ordered.requests} requests checked, ${stats.ordered.violations} order violations`);
    for (const example of stats.ordered.examples) out.push(`    violation    key ${example.key}: seq ${example.got} received after seq ${example.after}`);
    if (stats.ordered.violations > 0) failures.push(`${stats.ordered.violations} order violations`);
  }
  out.push(`  deliveries/s   ${fmt(rate)}${baseline ? ` (${ratio(rate, baseline.rate)} the baseline)` : ''} (${delivered} from first to last receipt over ${spanS.toFixed(1)} s)`);
  out.push(`  ${latencyLine('latency ms', latency, baseline?.latency)}`);
  if (baseline) out.push('                 (in brackets: as a multiple of the baseline)');
  if (hangEndpointId) out.push(...hangPartitionLines(bench, stats, endpointIds, hangEndpointId));
  const cpu = cpuReport(cpuBefore, cpuAfter, delivered);
  for (const line of cpu.lines) out.push(`  ${line}`);
  out.push(...targetLines(options, { rate, latency, cpuUsPerDelivery: cpu.allProcessesUsPerDelivery, acceptedAndDelivered: delivered / Math.max(0.001, (stats.last - published.started) / 1000) }, baseline));
  for (const what of services.unexpectedExits) out.push(`  SERVICE EXIT   ${what}`);
  if (missing !== 0) failures.push(`the Hookline ledger does not balance (${missing} missing)`);
  if (services.unexpectedExits.length > 0) failures.push(`${services.unexpectedExits.length} service process(es) exited during the run`);
  return { instances: services.instances, profileStarted: services.profileStarted, windowFrom: published.started, windowTo: last || Date.now() };
}

/**
 * Issue 20's targets that this run's shape measures, each next to its measured value. The CPU
 * target is half of the 730 µs per delivery (all processes) the issue measured at 224429b.
 */
const TARGETS = { baselineRatio: 0.5, p99Ms: 150, p99Rate: 1_000, apiMessagesPerSecond: 2_500, apiConcurrency: 64, cpuUsPerDelivery: 730 / 2 };

function targetLines(options, measured, baseline) {
  const verdict = (met) => (met ? 'met' : 'NOT met');
  const lines = [];
  const kafkaPath = options.via === 'kafka' && options.fanout === 1 && options.failRate === 0 && options.orderingKeys === 0 && !options.hang;
  if (kafkaPath && options.rate === 'max') {
    if (baseline) {
      const ratioToBaseline = measured.rate / baseline.rate;
      lines.push(`Kafka path at least ${TARGETS.baselineRatio}x the baseline: ${ratioToBaseline.toFixed(2)}x, ${verdict(ratioToBaseline >= TARGETS.baselineRatio)}`);
    }
    lines.push(`CPU per delivery, all processes, at most ${TARGETS.cpuUsPerDelivery} µs: ${fmt(measured.cpuUsPerDelivery)} µs, ${verdict(measured.cpuUsPerDelivery <= TARGETS.cpuUsPerDelivery)}`);
  }
  if (kafkaPath && options.rate === TARGETS.p99Rate) {
    lines.push(`p99 accepted -> received under ${TARGETS.p99Ms} ms at ${fmt(TARGETS.p99Rate)} events/s (three runs of three): ${fmt(measured.latency.p99)} ms, ${verdict(measured.latency.p99 < TARGETS.p99Ms)} in this run`);
  }
  if (options.via === 'api' && options.rate === 'max' && options.apiConcurrency === TARGETS.apiConcurrency && options.fanout === 1) {
    const how = options.idempotencyKey ? 'with' : 'without';
    lines.push(`REST path, ${TARGETS.apiConcurrency} in flight, ${how} an Idempotency-Key, at least ${fmt(TARGETS.apiMessagesPerSecond)} messages/s accepted and delivered: ${fmt(measured.acceptedAndDelivered)}/s (first request to last receipt), ${verdict(measured.acceptedAndDelivered >= TARGETS.apiMessagesPerSecond)}`);
  }
  return lines.length === 0 ? [] : ['', 'issue 20 targets this run measures', ...lines.map((line) => `  ${line}`)];
}

// ---- the soak ----------------------------------------------------------------------------------

/** The tables whose size the soak follows; a partitioned one counts its partitions. */
const SOAK_TABLES = ['messages', 'message_endpoints', 'attempts', 'message_outbox', 'idempotency_keys', 'pending_deletions'];

/** Table plus index bytes of each of SOAK_TABLES (all partitions), and the partitions of messages. */
async function databaseSizes(db) {
  const { rows } = await db.query(
    `SELECT t.name, (SELECT coalesce(sum(pg_total_relation_size(p.relid)), 0)::bigint FROM pg_partition_tree(t.name::regclass) p) AS bytes
     FROM unnest($1::text[]) AS t(name)`,
    [SOAK_TABLES],
  );
  const { rows: [{ partitions }] } = await db.query(`SELECT count(*)::int AS partitions FROM pg_inherits WHERE inhparent = 'messages'::regclass`);
  const { rows: [{ messages }] } = await db.query('SELECT count(*)::int AS messages FROM messages');
  return { bytes: Object.fromEntries(rows.map((row) => [row.name, Number(row.bytes)])), partitions, messages };
}

const megabytes = (bytes) => (bytes / 1_048_576).toFixed(1);

/**
 * --soak: Hookline alone at a fixed rate for a duration (time compressed by a short --retention),
 * with a line every minute: the database's size and the latency of that minute's deliveries.
 * What the retention must show: both flat once the first retention window has passed.
 */
async function runSoak(bench, out, failures) {
  const { options, db, receiver, expected } = bench;
  const { services, api } = await startHooklineWithApi(bench);
  const { endpointIds, appIds } = await createApplications(bench, api, services.appIds);
  const publisher = hooklinePublisher(bench, api, appIds);
  await receiver.ask({ type: 'reset', phase: 'soak' });

  const rows = [];
  const started = Date.now();
  const header = `  ${'minute'.padStart(6)} ${'load1'.padStart(6)} ${'recv/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'messages'.padStart(9)} ${'parts'.padStart(5)} ${SOAK_TABLES.map((table) => `${table.replace('message_', 'm_').slice(0, 13)} MB`.padStart(17)).join('')} ${'total MB'.padStart(9)}`;
  const sample = async (label) => {
    const window = await receiver.ask({ type: 'window' });
    const sizes = await databaseSizes(db);
    const latency = summarize(window.latencies);
    const total = Object.values(sizes.bytes).reduce((sum, bytes) => sum + bytes, 0);
    const elapsedS = (Date.now() - (rows.at(-1)?.at ?? started)) / 1000;
    const row = { at: Date.now(), label, load: loadavg()[0], rate: window.latencies.length / Math.max(0.001, elapsedS), latency, sizes, total };
    rows.push(row);
    const line = `  ${label.padStart(6)} ${row.load.toFixed(2).padStart(6)} ${fmt(row.rate).padStart(7)} ${fmt(latency.p50).padStart(7)} ${fmt(latency.p99).padStart(7)} ${fmt(latency.max).padStart(7)} ${String(sizes.messages).padStart(9)} ${String(sizes.partitions).padStart(5)} ${SOAK_TABLES.map((table) => megabytes(sizes.bytes[table]).padStart(17)).join('')} ${megabytes(total).padStart(9)}`;
    log(`soak ${line.trim()}`);
    return line;
  };
  log(`soak: publishing ${options.rate} events/s for ${options.soak}${options.retention ? ` with HOOKLINE_RETENTION=${options.retention}` : ''}`);
  log(`soak ${header.trim()}`);
  const lines = [await sample('0')];
  let minute = 0;
  const ticker = setInterval(() => {
    minute++;
    void sample(String(minute)).then((line) => lines.push(line));
  }, 60_000);
  let published;
  try {
    published = await publisher.publish('soak', options.events);
    log(`soak: published ${options.events} events; waiting for the last deliveries`);
    await drain({ receiver, expected, idleTimeoutMs: options.idleTimeoutMs, label: 'soak' });
  } finally {
    clearInterval(ticker);
  }
  await sleep(1_000);
  lines.push(await sample('end'));
  const stats = await receiver.ask({ type: 'stats' });
  const dead = Number((await db.query(`SELECT count(*)::int AS n FROM message_endpoints WHERE status = 'dead' AND endpoint_id = ANY($1::uuid[])`, [endpointIds])).rows[0].n);
  const delivered = stats.latencies.length;
  const missing = expected - delivered - dead;

  out.push('');
  out.push(`soak: ${SERVICES.map((service) => `${service} x${options.instances[service]}`).join(', ')}; ${options.rate} events/s via ${options.via} for ${options.soak}${options.retention ? `, HOOKLINE_RETENTION=${options.retention}` : ''}`);
  out.push(`  published      ${options.events} events in ${((published.ended - published.started) / 1000).toFixed(1)} s`);
  out.push(`  ledger         expected ${expected} = delivered ${delivered} + dead ${dead} (still in the database) + missing ${missing}   ${missing === 0 ? 'OK' : 'DOES NOT BALANCE'}`);
  out.push(`  duplicates     ${stats.duplicates}`);
  out.push(`  ${latencyLine('latency ms (all)', summarize(stats.latencies))}`);
  out.push('  every minute: load average, deliveries received per second and their latency in that minute; rows in messages,');
  out.push('  its partitions, and table + index megabytes of each table (all partitions)');
  out.push(header);
  out.push(...lines);
  if (options.retention) {
    // Flat: past the first retention window (plus a partition and a sweep), the size stays within its range so far.
    const windowS = (parseDurationMs(options.retention, 'retention') + 2 * 60_000) / 1000;
    const settled = rows.filter((row) => row.label !== 'end' && (row.at - started) / 1000 >= windowS + 60);
    if (settled.length >= 2) {
      const totals = settled.map((row) => row.total);
      const p99s = settled.map((row) => row.latency.p99).filter(Number.isFinite);
      out.push(`  after ${Math.round(windowS / 60) + 1} min   total MB from ${megabytes(Math.min(...totals))} to ${megabytes(Math.max(...totals))}; p99 ms from ${fmt(Math.min(...p99s))} to ${fmt(Math.max(...p99s))}`);
    }
  }
  if (missing !== 0) failures.push(`the soak ledger does not balance (${missing} missing)`);
  if (services.unexpectedExits.length > 0) failures.push(`${services.unexpectedExits.length} service process(es) exited during the run`);
}

/**
 * The services as child processes from dist/, --instances of each, on the run's prefix with a
 * generated admin token and keyring; resolves once every one is ready. Returns them with
 * `appIds`, which the data cleanup (registered before them, so run after they stopped) deletes.
 */
async function startHooklineServices(bench) {
  const { options, cleanups, db } = bench;
  const { adminToken, env: baseEnv } = serviceEnvironment(bench, {
    HOOKLINE_TOPIC_PARTITIONS: String(options.partitions),
    HOOKLINE_DELIVERY_TIMEOUT: options.deliveryTimeout,
    HOOKLINE_RETRY_SCHEDULE: options.retrySchedule,
    HOOKLINE_DEAD_LETTER_AFTER: options.deadLetterAfter,
    ...(options.retention ? { HOOKLINE_RETENTION: options.retention } : {}),
    HOOKLINE_LOG_LEVEL: 'warn',
    // The bench's one token publishes thousands of requests a second: its per-token limit (100/s
    // by default) would measure the limiter, not the pipeline.
    HOOKLINE_API_RATE_LIMIT: '0',
  });
  // The data goes with the run (the messages, taking their statuses and attempts with them, then
  // the applications with their endpoints); registered before the services, so it runs after
  // they stopped.
  const appIds = [];
  if (!options.keepData) {
    cleanups.push(async () => {
      if (appIds.length === 0) return;
      await db.query('DELETE FROM messages WHERE application_id = ANY($1::uuid[])', [appIds]);
      await db.query('DELETE FROM applications WHERE id = ANY($1::uuid[])', [appIds]);
      // Now, not as autovacuum during the next run's measurement.
      await db.query('VACUUM (ANALYZE) applications, endpoints, messages, message_endpoints, attempts');
    });
  }
  const instances = [];
  /** Services that exited before the bench stopped them (a crash, or a signal from elsewhere). */
  const unexpectedExits = [];
  const profileStarted = Date.now();
  for (const service of SERVICES) {
    for (let index = 0; index < options.instances[service]; index++) {
      const profiled = options.profile.includes(service);
      const nodeArgs = profiled ? [`--import=${PROFILE_EXIT_HOOK}`, '--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
      const name = options.instances[service] > 1 ? `${service}#${index + 1}` : service;
      const instance = { ...(await startService(service, baseEnv, { name, nodeArgs })), profiled };
      instance.child.once('exit', (code, signal) => {
        if (instance.stopping) return;
        const what = `${instance.name} (pid ${instance.child.pid}) exited during the run: ${signal ? `signal ${signal}` : `code ${code}`}`;
        unexpectedExits.push(what);
        log(what);
      });
      instances.push(instance);
      cleanups.push(() => stopService(instance));
    }
  }
  log(`services: ${instances.map((instance) => `${instance.name} pid ${instance.child.pid} :${instance.port}`).join(', ')}`);
  const bootStarted = Date.now();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  await Promise.all(instances.map((instance) => waitReady(instance, deadline)));
  log(`services ready after ${Date.now() - bootStarted} ms`);
  return { adminToken, appIds, instances, unexpectedExits, profileStarted };
}

/** The applications, each with its endpoints (and the hanging one), through the API. */
async function createApplications(bench, api, appIds) {
  const { options, prefix, receiver, urlsByApp, hangUrl } = bench;
  const expectOk = (what, response) => {
    if (response.status >= 300) throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.json)}`);
    return response.json;
  };
  const endpointIds = new Array(options.apps * options.fanout);
  await pool(receiver.ports, 8, async (_, app) => {
    const created = expectOk('create application', await api.call('POST', '/app', { name: `${prefix} app ${app}`, uid: `${prefix}-app-${app}` }));
    appIds[app] = created.id;
    for (let k = 0; k < options.fanout; k++) {
      const endpoint = expectOk(
        'create endpoint',
        await api.call('POST', `/app/${created.id}/endpoint`, {
          url: urlsByApp[app][k],
          eventTypes: [EVENT_TYPE],
          description: 'bench',
          ...(options.filters && { filter: BENCH_FILTER }),
          ...(options.orderingKeys > 0 && { ordering: 'fifo' }),
        }),
      );
      endpointIds[app * options.fanout + k] = endpoint.id;
    }
  });
  let hangEndpointId = null;
  if (hangUrl) {
    hangEndpointId = expectOk('create endpoint', await api.call('POST', `/app/${appIds[0]}/endpoint`, { url: hangUrl, eventTypes: [EVENT_TYPE], description: 'bench: hangs' })).id;
  }
  log(`created ${appIds.length} applications and ${endpointIds.length + (hangEndpointId ? 1 : 0)} endpoints`);
  return { appIds, endpointIds, hangEndpointId };
}

/**
 * Publishes a phase's events to Hookline: onto the ingest topic in batches, or one POST each
 * through the API (retried, the eventId de-duplicating); `errors()` counts the failed attempts.
 */
function hooklinePublisher(bench, api, appIds) {
  const { options, prefix, producer, appOf } = bench;
  const ingestTopic = `${prefix}.ingest`;
  let publishErrors = 0;
  const publish = (phase, events) => {
    const payloadOf = makePayloadFactory(phase, options.payloadBytes);
    const eventOf = (seq, at) => {
      const event = { eventType: EVENT_TYPE, eventId: `${prefix}-${phase}-${seq}`, payload: payloadOf(seq, at) };
      if (options.orderingKeys === 0) return event;
      const orderingKey = `key-${Math.floor(seq / options.apps) % options.orderingKeys}`;
      return { ...event, orderingKey, payload: { ...event.payload, bench: { ...event.payload.bench, key: orderingKey } } };
    };
    // Ordered: one send at a time, so that each key's events are accepted in sequence order.
    const inFlight = options.orderingKeys > 0 ? 1 : options.via === 'kafka' ? KAFKA_SENDS_IN_FLIGHT : options.apiConcurrency;
    return generate({
      events,
      rate: options.rate,
      inFlight,
      batchMax: options.via === 'kafka' ? KAFKA_BATCH : 1,
      send:
        options.via === 'kafka'
          ? (batch) => producer.send({ topic: ingestTopic, acks: -1, messages: batch.map(({ seq, at }) => ({ key: appIds[appOf(seq)], value: JSON.stringify(eventOf(seq, at)) })) })
          : async ([{ seq, at }]) => {
              for (let attempt = 1; ; attempt++) {
                try {
                  const event = eventOf(seq, at);
                  const headers = options.idempotencyKey ? { 'idempotency-key': event.eventId } : undefined;
                  const response = await api.call('POST', `/app/${appIds[appOf(seq)]}/msg`, event, headers);
                  // 409: an earlier attempt of this very request was accepted (eventId de-duplicates).
                  if (response.status === 202 || response.status === 409) return;
                  throw new Error(`HTTP ${response.status} ${JSON.stringify(response.json)}`);
                } catch (error) {
                  publishErrors++;
                  if (attempt >= API_ATTEMPTS) throw error;
                  await sleep(100 * attempt);
                }
              }
            },
    });
  };
  return { publish, errors: () => publishErrors };
}

/**
 * Where the backlog sits: records waiting in each stage's input topic (end offset minus the
 * group's committed offset), sampled every couple of seconds while waiting.
 */
function backlogSampler(bench) {
  const { options, prefix, admin } = bench;
  const stages = [
    ['ingest', `${prefix}.ingest`, `${prefix}.ingest`],
    ['fanout', `${prefix}.events`, `${prefix}.fanout`],
    ['delivery', `${prefix}.deliveries`, `${prefix}.delivery`],
  ].filter(([stage]) => stage !== 'ingest' || options.via === 'kafka');
  const backlog = new Map(stages.map(([stage]) => [stage, { now: 0, max: 0 }]));
  const sample = async () => {
    for (const [stage, topic, groupId] of stages) {
      try {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const waiting = ends.reduce((sum, end) => {
          const done = Number(committed?.partitions.find((partition) => partition.partition === end.partition)?.offset ?? -1);
          return sum + Math.max(0, Number(end.high) - Math.max(done, Number(end.low)));
        }, 0);
        const entry = backlog.get(stage);
        entry.now = waiting;
        entry.max = Math.max(entry.max, waiting);
      } catch {
        // A sample missed is no loss.
      }
    }
  };
  sample.describe = () => `backlog ${[...backlog].map(([stage, { now }]) => `${stage} ${now}`).join(', ')}`;
  return { sample, maxima: () => [...backlog].map(([stage, { max }]) => `${stage} ${max}`).join(', ') };
}

/**
 * Delivery tasks are keyed by endpoint id: the endpoints on the hanging one's partition are the
 * ones it could hold back. Their latencies against the others', and its application's.
 */
function hangPartitionLines(bench, stats, endpointIds, hangEndpointId) {
  const { options, prefix, Partitioners } = bench;
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: options.partitions }, (_, partitionId) => ({ partitionId, leader: 0 }));
  const partitionOf = (id) => partitioner({ topic: `${prefix}.deliveries`, partitionMetadata, message: { key: id } });
  const hangPartition = partitionOf(hangEndpointId);
  const shared = new Set(endpointIds.map((id, index) => (partitionOf(id) === hangPartition ? index : -1)).filter((index) => index >= 0));
  const same = [];
  const other = [];
  stats.endpoints.forEach((endpoint, i) => (shared.has(endpoint) ? same : other).push(stats.latencies[i]));
  const sameApp = [];
  stats.endpoints.forEach((endpoint, i) => {
    if (Math.floor(endpoint / options.fanout) === 0) sameApp.push(stats.latencies[i]);
  });
  return [
    `  hang partition ${shared.size} of ${endpointIds.length} endpoints share delivery partition ${hangPartition} with the hanging endpoint:`,
    `  ${latencyLine('  same partition', summarize(same))}`,
    `  ${latencyLine('  other ones', summarize(other))}`,
    `  ${latencyLine('  its application', summarize(sameApp))}`,
  ];
}

/** Stops the profiled services, then summarises each one's profile over the measured window. */
async function reportProfiles({ instances, profileStarted, windowFrom, windowTo }, out) {
  await Promise.all(instances.filter((instance) => instance.profiled).map((instance) => stopService(instance)));
  const { summarizeProfile } = await import('./cpuprofile-summary.mjs');
  const files = existsSync(PROFILE_DIR) ? readdirSync(PROFILE_DIR) : [];
  for (const instance of instances.filter((candidate) => candidate.profiled)) {
    const file = files.find((name) => name.endsWith('.cpuprofile') && name.includes(`.${instance.child.pid}.`) && statSync(join(PROFILE_DIR, name)).mtimeMs >= profileStarted);
    out.push('');
    if (!file) {
      out.push(`profile of ${instance.name}: no .cpuprofile for pid ${instance.child.pid} in ${relative(ROOT, PROFILE_DIR)}`);
      continue;
    }
    // The window of the run, from the child's start (close to the profile's own start).
    const lines = summarizeProfile(join(PROFILE_DIR, file), { top: 20, fromMs: Math.max(0, windowFrom - instance.spawnedAt), toMs: Math.max(0, windowTo - instance.spawnedAt) });
    out.push(`profile of ${instance.name} over the run (approximate window; whole file: node scripts/bench/cpuprofile-summary.mjs ${relative(process.cwd(), join(PROFILE_DIR, file))})`);
    for (const line of lines) out.push(`  ${line}`);
  }
}

if (isMainThread) {
  await runMain(import.meta.url, { usage: USAGE, options: OPTIONS, parse: parseOptions, main });
} else if (workerData?.role === 'baseline') {
  await baselineWorker(workerData);
}
