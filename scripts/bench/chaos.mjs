// npm run chaos [-- options]: under steady load, kill and restart every part of Hookline in turn,
// then prove from the ledger that nothing accepted was lost. Plain ESM JavaScript for Node 24 (the
// project's own, node_modules/.bin/node, which `npm run` puts first on PATH).
//
//   node scripts/bench/chaos.mjs [--short] [--rate 100] [--apps 8] [--ordering-keys 4] [--gap 15s] [--repeat 2]
//       [--only fault,...] [--idle-timeout 90s] [--no-build]
//
//   --short         the form CI runs: --rate 40 --gap 5s, each service fault once and each broker
//                   and database fault twice, about eight minutes in all
//   --rate          events per second published onto the ingest topic while the faults happen
//   --apps          applications, each with one endpoint on the local receiver; the first one's is
//                   FIFO (ordered delivery) and its events carry one of --ordering-keys keys
//   --ordering-keys ordering keys of the FIFO endpoint's events (default 4)
//   --gap           steady load between one fault's recovery and the next fault
//   --repeat        run each fault this many times in a row (default 2), so that a timing window is hit
//   --only          run only these faults (names below), in their usual order
//   --idle-timeout  after the load stops, give up waiting once nothing was delivered for this long
//   --no-build      never run scripts/build.sh
//
// The faults, in order (each named as --only takes it). The services' session timeout is 6 s.
//   kill-ingest        SIGKILL the ingest service, start it again
//   kill-fanout        SIGKILL fanout, start it again
//   kill-delivery      SIGKILL one of the two delivery instances (the other takes its partitions)
//   kill-deliveries    SIGKILL both delivery instances at once, start them again
//   kill-retry         SIGKILL the retry service while failed deliveries wait in its tiers
//   restart-kafka      stop the broker (SIGTERM), start it again 3 s later
//   freeze-kafka-short SIGSTOP the broker for 3 s (shorter than the session timeout), SIGCONT
//   freeze-kafka       SIGSTOP the broker for 7 s (just past the session timeout), SIGCONT
//   kill-kafka-long    SIGKILL the broker, start it again 20 s later (long past the session timeout:
//                      kafkajs gives its consumers up, and they must be started anew)
//   slow-kafka         stop the broker, start it, and freeze it for 8 s as soon as it accepts
//                      connections: a broker that comes back slowly
//   restart-postgres   stop PostgreSQL (fast shutdown), start it again 3 s later
//   stop-postgres-long stop PostgreSQL for 20 s
//   flap-receiver      the receiver answers 503 to everything for 5 s, recovers, again, twice
//   poison-records     publish, among the steady load, one record of each class ingest must refuse:
//                      an unpaired surrogate, a payload nested 5,000 deep, a value over 256 KiB, a
//                      value that is not JSON, a key naming no application; each must reach
//                      <prefix>.ingest.rejected with its reason, and the events around them be delivered
// A receiver flap also runs, briefly, inside kill-retry, so that its tiers hold tasks when it dies.
// The report counts the lines the services logged in each fault's window (they log at error
// level unless HOOKLINE_LOG_LEVEL says otherwise): a fault should cost a handful of lines, not
// one per record and attempt.
//
// It runs a Kafka and a PostgreSQL of its own (scripts/stack with HOOKLINE_*_STATE_DIR under
// .local/chaos and ports 29092/29093 and 25432), since it restarts them; with KAFKA_BROKERS or
// DATABASE_URL given it uses those and skips the fault that would restart them. The services are
// the built dist/ (ingest, fanout, two delivery instances, retry) on a fresh topic prefix, with a
// retry schedule shrunk to about a minute (1s,2s,4s,8s,8s,8s,8s,8s,8s,8s) and the dead-letter
// window to match (60s).
//
// The ledger: every event the generator published (acknowledged by Kafka; a publish that failed
// is retried with the same eventId until it is, which ingest de-duplicates) must end up received
// by its endpoint or dead-lettered: published = delivered + dead + lost, and lost must be 0. A dead
// letter is justified only when its retry window was really spent (its attempts span the window,
// or it used every tier). Duplicates (the same webhook-id received again) are counted and
// reported: at-least-once allows them. The FIFO endpoint's order is checked by the receiver on
// every request it gets (answered or refused): per ordering key, a sequence number below one
// already seen is an order violation (a repeat is not). The outcomes topic is the third witness:
// once the ledger settled, <prefix>.outcomes is read from its beginning to its end, and every
// published event must have an outcome record there that agrees with the other two: `delivered`
// for an event the receiver got, `dead` for a dead letter (an event with the other outcome among
// its records disagrees; a repeated record is counted, not a failure). Every record is parsed with
// the contract's schema (libs/contracts outcome.contract.ts: the value an outcomeRecord, the key its
// messageId); one that does not match is counted as malformed, fails the run, and witnesses nothing.
// Exits 0 when nothing is lost, every dead letter is justified, no order was violated and every
// outcome is there, as documented, and agrees, 1 otherwise, 2 on a usage error.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cleanups, commandLine, prefixAdmin, ensureBuilt, fmt, integerOption, kafkaSecurity, log, parseDurationMs, ROOT, run, runMain, serviceEnvironment, startService, startStack, stopService, summarize, UsageError, waitReady } from './harness.mjs';
import { apiClient, generate, makePayloadFactory } from './load.mjs';
import { startReceiver } from './receiver.mjs';

const FAULTS = [
  'kill-ingest',
  'kill-fanout',
  'kill-delivery',
  'kill-deliveries',
  'kill-retry',
  'restart-kafka',
  'freeze-kafka-short',
  'freeze-kafka',
  'kill-kafka-long',
  'slow-kafka',
  'restart-postgres',
  'stop-postgres-long',
  'flap-receiver',
  'poison-records',
];
const KAFKA_FAULTS = FAULTS.filter((fault) => fault.includes('kafka'));
const POSTGRES_FAULTS = FAULTS.filter((fault) => fault.includes('postgres'));
const EVENT_TYPE = 'chaos.event';
/** The application whose endpoint is FIFO: its events carry ordering keys, and the receiver checks their order. */
const ORDERED_APP = 0;
const DATABASE = 'hookline_chaos';
const RETRY_SCHEDULE = '1s,2s,4s,8s,8s,8s,8s,8s,8s,8s';
const DEAD_LETTER_AFTER_MS = 60_000;
// Shrunk with the window, as the schedule is: at its 30 s default (doubling at each failed probe)
// a circuit's postponement alone could outlast a 60 s window and dead-letter a task at once.
const CIRCUIT_BREAKER_COOLDOWN = '5s';
const READY_TIMEOUT_MS = 120_000;
/** The stack of its own, which it may restart. */
const STACK_ENV = {
  HOOKLINE_KAFKA_STATE_DIR: join(ROOT, '.local/chaos/kafka'),
  HOOKLINE_KAFKA_PORT: '29092',
  HOOKLINE_KAFKA_CONTROLLER_PORT: '29093',
  HOOKLINE_PG_STATE_DIR: join(ROOT, '.local/chaos/postgres'),
  HOOKLINE_PG_PORT: '25432',
};

/**
 * The poison-records fault's records, one of each class ingest refuses, each with the reason it
 * must be rejected for (matched against the hookline-rejection-reason header).
 */
const POISONS = [
  { name: 'unpaired-surrogate', value: () => `{"eventType":"${EVENT_TYPE}","payload":{"s":"\\ud800"}}`, reason: /^value\.payload\.s: must not contain an unpaired UTF-16 surrogate/ },
  { name: 'deep-nesting', value: () => `{"eventType":"${EVENT_TYPE}","payload":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`, reason: /^value\.payload\.(a\.)+a: must not nest objects and arrays deeper than 128 levels$/ },
  { name: 'oversized', value: () => JSON.stringify({ eventType: EVENT_TYPE, payload: { blob: 'x'.repeat(300 * 1024) } }), reason: /^value: larger than 256 KiB$/ },
  { name: 'not-json', value: () => `{"eventType":"${EVENT_TYPE}","payload":`, reason: /^value: not JSON / },
  { name: 'unknown-application', key: () => `chaos-nobody-${randomBytes(4).toString('hex')}`, value: () => JSON.stringify({ eventType: EVENT_TYPE, payload: {} }), reason: /^key: no application with id or uid "chaos-nobody-/ },
];
/** Header naming a poison record, which the rejected copy keeps. */
const POISON_HEADER = 'chaos-poison';

const USAGE = 'node scripts/bench/chaos.mjs [--short] [--rate N] [--apps N] [--ordering-keys N] [--gap 15s] [--repeat N] [--only fault,...] [--idle-timeout 90s] [--no-build]';

/** The options of parseArgs (harness.mjs adds --help and --no-build). */
const OPTIONS = {
  short: { type: 'boolean', default: false },
  rate: { type: 'string' },
  apps: { type: 'string', default: '8' },
  'ordering-keys': { type: 'string', default: '4' },
  gap: { type: 'string' },
  repeat: { type: 'string' },
  only: { type: 'string', default: '' },
  'idle-timeout': { type: 'string', default: '90s' },
};

/** The options as the run uses them, checked. */
function parseOptions(values) {
  values.rate ??= values.short ? '40' : '100';
  values.gap ??= values.short ? '5s' : '15s';
  const integer = integerOption(values);
  const repeat = values.repeat === undefined ? null : integer('repeat', 1, 10);
  const only = values.only.split(',').map((item) => item.trim()).filter(Boolean);
  for (const fault of only) if (!FAULTS.includes(fault)) throw new UsageError(`--only: expected faults among ${FAULTS.join(', ')}, got "${fault}"`);
  return {
    short: values.short,
    rate: integer('rate', 1, 5_000),
    apps: integer('apps', 1, 200),
    orderingKeys: integer('ordering-keys', 1, 100),
    gapMs: parseDurationMs(values.gap, 'gap'),
    // --short: each service fault once, each broker and database fault twice.
    repeatOf: (fault) => repeat ?? (values.short && !KAFKA_FAULTS.includes(fault) && !POSTGRES_FAULTS.includes(fault) ? 1 : 2),
    faults: only.length > 0 ? FAULTS.filter((fault) => only.includes(fault)) : FAULTS,
    idleTimeoutMs: parseDurationMs(values['idle-timeout'], 'idle-timeout'),
  };
}

/**
 * The run: its own stack, the services and their applications, steady load while each fault
 * happens in turn, then the wait until every published event is accounted for, and the report.
 */
async function main(options) {
  await ensureBuilt(options.build);
  const ownKafka = !process.env.KAFKA_BROKERS;
  const ownPostgres = !process.env.DATABASE_URL;
  const faults = options.faults.filter((fault) => (!KAFKA_FAULTS.includes(fault) || ownKafka) && (!POSTGRES_FAULTS.includes(fault) || ownPostgres));
  const skipped = options.faults.filter((fault) => !faults.includes(fault));
  const cleanups = new Cleanups();
  const timeline = new Timeline();
  try {
    const chaos = await prepare(options, cleanups);
    const services = await startServices(chaos);
    const { appIds, endpointIds } = await createApplications(chaos, services);
    chaos.appIds = appIds;
    const load = startLoad(chaos, appIds);

    timeline.note(`steady load at ${options.rate} events/s; faults: ${faults.join(', ')}${skipped.length ? `; skipped (not our own stack): ${skipped.join(', ')}` : ''}`);
    const actions = faultActions(chaos, services, timeline);
    // When each fault began: the report splits latencies by the window an event was sent in.
    const windows = [{ name: 'steady load', at: Date.now() }];
    for (const fault of faults) {
      for (let time = 1; time <= options.repeatOf(fault); time++) {
        await sleep(options.gapMs);
        windows.push({ name: time > 1 ? `${fault} #${time}` : fault, at: Date.now() });
        await actions[fault]();
      }
    }
    await sleep(options.gapMs);
    const { sent } = await load.stop();
    timeline.note(`load stopped: ${load.published.size} events published (${load.retries()} publish attempts failed and were retried)`);

    const ledger = await settle(chaos, endpointIds, load.published, timeline);
    const outcomes = await witnessOutcomes(chaos, ledger, timeline);
    const poisoned = await rejectedPoisons(chaos);
    const { out, failures } = report({ chaos, services, ownKafka, ownPostgres, sent, timeline, windows, outcomes, poisoned, ...ledger });
    process.stdout.write(`${out.join('\n')}\n`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    await cleanups.run();
  }
}

/** Whether something accepts TCP connections on the port of 127.0.0.1 now. */
function portOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** What the timeline of the report says happened, each line also logged as it happens. */
class Timeline {
  started = Date.now();
  lines = [];

  note(text) {
    const line = `${((Date.now() - this.started) / 1000).toFixed(0).padStart(4)} s  ${text}`;
    this.lines.push(line);
    log(line);
  }
}

/**
 * Kafka and PostgreSQL of its own (or the ones given), a database pool, a Kafka admin and
 * producer and the receiver, on a fresh topic prefix.
 */
async function prepare(options, cleanups) {
  const { Kafka, Partitioners, logLevel } = (await import('kafkajs')).default;
  const stackEnv = { ...process.env, ...STACK_ENV };
  const prefix = `chaos-${randomBytes(4).toString('hex')}`;
  const { kafkaUrl, brokers, databaseUrl, pg } = await startStack(cleanups, { database: DATABASE, env: stackEnv });
  const db = new pg.Pool({ connectionString: databaseUrl, application_name: 'hookline-chaos', max: 2 });
  // The pool reconnects after PostgreSQL's restart; an idle client's error must not crash the run.
  db.on('error', () => undefined);
  cleanups.push(() => db.end());
  const kafka = new Kafka({ clientId: 'hookline-chaos', brokers, ...(await kafkaSecurity(kafkaUrl)), logLevel: logLevel.NOTHING, retry: { initialRetryTime: 300, retries: 10 } });
  await prefixAdmin(kafka, cleanups, prefix, ['ingest', 'fanout', 'delivery', 'retry']);
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, retry: { initialRetryTime: 300, retries: 5 } });
  await producer.connect();
  cleanups.push(() => producer.disconnect());

  const receiver = await startReceiver({ apps: options.apps });
  cleanups.push(() => receiver.close());
  return { options, cleanups, stackEnv, prefix, kafkaUrl, databaseUrl, db, kafka, producer, receiver, poisons: [] };
}

/**
 * ingest, fanout, two delivery instances and retry as child processes, ready. `spawn(name,
 * service)` starts one again under the same name (after a kill).
 */
async function startServices(chaos) {
  const { adminToken, env: serviceEnv } = serviceEnvironment(chaos, {
    HOOKLINE_DELIVERY_TIMEOUT: '5s',
    HOOKLINE_RETRY_SCHEDULE: RETRY_SCHEDULE,
    HOOKLINE_DEAD_LETTER_AFTER: `${DEAD_LETTER_AFTER_MS / 1000}s`,
    HOOKLINE_CIRCUIT_BREAKER_COOLDOWN: CIRCUIT_BREAKER_COOLDOWN,
    // A killed member's partitions move on after this; the default 10 s only slows the run.
    HOOKLINE_KAFKA_SESSION_TIMEOUT: '6s',
    // Problems only, unless the caller asks for more (HOOKLINE_LOG_LEVEL=info to follow the consumers).
    HOOKLINE_LOG_LEVEL: process.env.HOOKLINE_LOG_LEVEL ?? 'error',
  });
  const { cleanups } = chaos;
  const instances = new Map();
  // Every instance ever started, for the count of what they logged.
  const started = [];
  const spawn = async (name, service) => {
    const instance = await startService(service, serviceEnv, { name });
    started.push(instance);
    instance.child.once('exit', (code, signal) => {
      if (!instance.stopping) log(`${name} (pid ${instance.child.pid}) exited on its own: ${signal ?? `code ${code}`}`);
    });
    instances.set(name, instance);
    return instance;
  };
  cleanups.push(() => Promise.all([...instances.values()].map((instance) => stopService(instance, 10_000))));
  for (const [name, service] of [['ingest', 'ingest'], ['fanout', 'fanout'], ['delivery#1', 'delivery'], ['delivery#2', 'delivery'], ['retry', 'retry']]) await spawn(name, service);
  await Promise.all([...instances.values()].map((instance) => waitReady(instance, Date.now() + READY_TIMEOUT_MS)));
  log(`services ready: ${[...instances.values()].map((instance) => `${instance.name} pid ${instance.child.pid}`).join(', ')}`);
  return { adminToken, instances, started, spawn };
}

/** One application per receiver port, each with one endpoint, through the API. */
async function createApplications(chaos, services) {
  const { options, cleanups, prefix, db, receiver } = chaos;
  const api = await apiClient([`http://127.0.0.1:${services.instances.get('ingest').port}/api/v1`], services.adminToken, 8);
  cleanups.push(() => api.close());
  const expectOk = (what, response) => {
    if (response.status >= 300) throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.json)}`);
    return response.json;
  };
  const appIds = [];
  const endpointIds = [];
  for (let app = 0; app < options.apps; app++) {
    appIds.push(expectOk('create application', await api.call('POST', '/app', { name: `${prefix} ${app}` })).id);
    const ordering = app === ORDERED_APP ? 'fifo' : 'none';
    endpointIds.push(expectOk('create endpoint', await api.call('POST', `/app/${appIds[app]}/endpoint`, { url: `http://127.0.0.1:${receiver.ports[app]}/e/${app}`, eventTypes: [EVENT_TYPE], ordering })).id);
  }
  // The messages first (their statuses and attempts go with them): deleting an application leaves them to the retention sweep.
  cleanups.push(async () => {
    await db.query('DELETE FROM messages WHERE application_id = ANY($1::uuid[])', [appIds]).catch(() => undefined);
    await db.query('DELETE FROM applications WHERE id = ANY($1::uuid[])', [appIds]).catch(() => undefined);
  });
  await receiver.ask({ type: 'reset', phase: 'chaos' });
  return { appIds, endpointIds };
}

/**
 * Publishes at --rate onto the ingest topic until stopped; an event counts as published once
 * Kafka acknowledged it, whatever the fault (a failed send is retried with the same eventId).
 * The ordered application's events are sent one batch after another, each only once the one
 * before was acknowledged, so that their order on the topic is their sequence numbers' order.
 */
function startLoad(chaos, appIds) {
  const { options, prefix, producer } = chaos;
  const payloadOf = makePayloadFactory('chaos', 256);
  const published = new Set();
  let publishRetries = 0;
  let stopLoad = false;
  const eventOf = ({ seq, at }) => {
    const app = seq % options.apps;
    const event = { eventType: EVENT_TYPE, eventId: `chaos-${seq}`, payload: payloadOf(seq, at) };
    if (app !== ORDERED_APP) return { key: appIds[app], value: JSON.stringify(event) };
    const orderingKey = `key-${Math.floor(seq / options.apps) % options.orderingKeys}`;
    return { key: appIds[app], value: JSON.stringify({ ...event, orderingKey, payload: { ...event.payload, bench: { ...event.payload.bench, key: orderingKey } } }) };
  };
  const sendUntilAcknowledged = async (messages) => {
    for (;;) {
      try {
        await producer.send({ topic: `${prefix}.ingest`, acks: -1, messages });
        return;
      } catch {
        publishRetries++;
        await sleep(500);
      }
    }
  };
  let orderedChain = Promise.resolve();
  const load = generate({
    events: Number.MAX_SAFE_INTEGER,
    rate: options.rate,
    inFlight: 4,
    batchMax: 200,
    stop: () => stopLoad,
    send: async (batch) => {
      const ordered = batch.filter(({ seq }) => seq % options.apps === ORDERED_APP);
      const others = batch.filter(({ seq }) => seq % options.apps !== ORDERED_APP);
      // Chained now, in the order the generator hands out batches (the order of their sequence numbers).
      const orderedSent = (orderedChain = orderedChain.then(() => (ordered.length > 0 ? sendUntilAcknowledged(ordered.map(eventOf)) : undefined)));
      await Promise.all([others.length > 0 ? sendUntilAcknowledged(others.map(eventOf)) : undefined, orderedSent]);
      for (const { seq } of batch) published.add(seq);
    },
  });
  return {
    published,
    retries: () => publishRetries,
    stop: () => {
      stopLoad = true;
      return load;
    },
  };
}

/** Each fault by its --only name, noting on the timeline what it does and when. */
function faultActions(chaos, services, timeline) {
  const { stackEnv, receiver, producer, prefix } = chaos;
  const { instances, spawn } = services;
  const kill = async (...names) => {
    for (const name of names) {
      const instance = instances.get(name);
      instance.stopping = true;
      instance.child.kill('SIGKILL');
    }
    timeline.note(`SIGKILL ${names.join(' and ')}`);
    await sleep(2_000);
    const restarted = await Promise.all(names.map((name) => spawn(name, instances.get(name).service)));
    const at = Date.now();
    await Promise.all(restarted.map((instance) => waitReady(instance, Date.now() + READY_TIMEOUT_MS)));
    timeline.note(`${names.join(' and ')} ready again after ${((Date.now() - at) / 1000).toFixed(1)} s`);
  };
  const stackScript = async (component, command) => {
    const { code } = await run('bash', [`scripts/stack/${component}.sh`, command], stackEnv);
    if (code !== 0) throw new Error(`scripts/stack/${component}.sh ${command} failed`);
  };
  const startComponent = async (component) => {
    const at = Date.now();
    await stackScript(component, 'start');
    timeline.note(`${component} up again after ${((Date.now() - at) / 1000).toFixed(1)} s`);
  };
  const restartComponent = async (component, downMs = 3_000) => {
    timeline.note(`stopping ${component} for ${downMs / 1000} s`);
    await stackScript(component, 'stop');
    await sleep(downMs);
    await startComponent(component);
  };
  const kafkaPid = async () => Number(await readFile(join(STACK_ENV.HOOKLINE_KAFKA_STATE_DIR, 'kafka.pid'), 'utf8'));
  const freezeKafka = async (frozenMs) => {
    const pid = await kafkaPid();
    process.kill(pid, 'SIGSTOP');
    timeline.note(`broker frozen (SIGSTOP) for ${frozenMs / 1000} s`);
    await sleep(frozenMs);
    process.kill(pid, 'SIGCONT');
    timeline.note('broker thawed (SIGCONT)');
  };
  const killKafka = async (downMs) => {
    process.kill(await kafkaPid(), 'SIGKILL');
    timeline.note(`broker killed (SIGKILL), down for ${downMs / 1000} s`);
    await sleep(downMs);
    await startComponent('kafka');
  };
  const slowKafka = async (frozenMs) => {
    timeline.note('stopping kafka');
    await stackScript('kafka', 'stop');
    const starting = startComponent('kafka');
    // Frozen as soon as it accepts connections, before it has finished starting.
    while (!(await portOpen(Number(STACK_ENV.HOOKLINE_KAFKA_PORT)))) await sleep(20);
    await freezeKafka(frozenMs);
    await starting;
  };
  const flap = async (times, downMs) => {
    for (let n = 0; n < times; n++) {
      await receiver.ask({ type: 'mode', failing: true });
      timeline.note(`receiver answers 503 for ${downMs / 1000} s`);
      await sleep(downMs);
      await receiver.ask({ type: 'mode', failing: false });
      timeline.note('receiver answers 204 again');
      if (n < times - 1) await sleep(downMs);
    }
  };
  return {
    'kill-ingest': () => kill('ingest'),
    'kill-fanout': () => kill('fanout'),
    'kill-delivery': () => kill('delivery#1'),
    'kill-deliveries': () => kill('delivery#1', 'delivery#2'),
    'kill-retry': async () => {
      // Failures first, so that tasks wait in the tiers when the retry service dies.
      await receiver.ask({ type: 'mode', failing: true });
      timeline.note('receiver answers 503, filling the retry tiers');
      await sleep(3_000);
      await receiver.ask({ type: 'mode', failing: false });
      await kill('retry');
    },
    'restart-kafka': () => restartComponent('kafka'),
    'freeze-kafka-short': () => freezeKafka(3_000),
    'freeze-kafka': () => freezeKafka(7_000),
    'kill-kafka-long': () => killKafka(20_000),
    'slow-kafka': () => slowKafka(8_000),
    'restart-postgres': () => restartComponent('postgres'),
    'stop-postgres-long': () => restartComponent('postgres', 20_000),
    'flap-receiver': () => flap(2, 5_000),
    'poison-records': async () => {
      // One of each class, a second apart, among the steady load and keyed as it is.
      for (const poison of POISONS) {
        const id = `${poison.name}-${randomBytes(4).toString('hex')}`;
        const key = poison.key?.() ?? chaos.appIds[chaos.poisons.length % chaos.appIds.length];
        await producer.send({ topic: `${prefix}.ingest`, acks: -1, messages: [{ key, value: poison.value(), headers: { [POISON_HEADER]: id } }] });
        chaos.poisons.push({ id, poison });
        await sleep(1_000);
      }
      timeline.note(`published ${POISONS.length} poison records (${POISONS.map((poison) => poison.name).join(', ')}) among the load`);
    },
  };
}

/**
 * Each poison record published, with what <prefix>.ingest.rejected says of it: its reason, or
 * null if it is not there (read from the beginning, for up to 30 s).
 */
async function rejectedPoisons(chaos) {
  const { kafka, prefix, poisons } = chaos;
  if (poisons.length === 0) return [];
  const reasons = new Map();
  const consumer = kafka.consumer({ groupId: `${prefix}.chaos-rejected-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: `${prefix}.ingest.rejected`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const id = message.headers?.[POISON_HEADER]?.toString();
        if (id) reasons.set(id, message.headers?.['hookline-rejection-reason']?.toString() ?? '');
      },
    });
    const deadline = Date.now() + 30_000;
    while (reasons.size < poisons.length && Date.now() < deadline) await sleep(500);
  } finally {
    await consumer.disconnect();
  }
  return poisons.map(({ id, poison }) => ({ id, name: poison.name, reason: reasons.get(id) ?? null, expected: poison.reason }));
}

/**
 * Waits until every published event was received or dead-lettered, or nothing new happened for
 * --idle-timeout; then the ledger: delivered, dead, lost, and the dead letters not justified.
 */
async function settle(chaos, endpointIds, published, timeline) {
  const { options, db, receiver } = chaos;
  // Dead letters of the run, by event (eventId chaos-<seq>), with what justifies them: the
  // window runs from the first attempt or, for a task only ever postponed, from about when the
  // message was accepted; the status row was last updated when the task died.
  const deadLetters = async () =>
    (
      await db.query(
        `SELECT m.event_id, s.attempt_count, s.updated_at AS dead_at, m.created_at AS accepted_at,
                COALESCE((SELECT min(a.created_at) FROM attempts a WHERE a.message_id = s.message_id AND a.endpoint_id = s.endpoint_id), m.created_at) AS window_start,
                -- What the report shows of a dead letter that came too early, so a failed run can be read.
                (SELECT string_agg(format('#%s at %s: %s', a.attempt_number, to_char(a.created_at, 'HH24:MI:SS.MS'),
                                          COALESCE(a.response_status_code::text, a.error, '?')), '; ' ORDER BY a.created_at)
                 FROM attempts a WHERE a.message_id = s.message_id AND a.endpoint_id = s.endpoint_id) AS attempts
         FROM message_endpoints s JOIN messages m ON m.id = s.message_id
         WHERE s.status = 'dead' AND s.endpoint_id = ANY($1::uuid[])`,
        [endpointIds],
      )
    ).rows;
  const seenSeqs = async () => new Set((await receiver.ask({ type: 'seen' })).pairs.map((pair) => Number(pair.split(' ')[0])));
  let lastProgress = Date.now();
  let lastAccounted = -1;
  let seen = new Set();
  let dead = [];
  for (;;) {
    seen = await seenSeqs();
    dead = await deadLetters().catch(() => dead);
    const deadSeqs = new Set(dead.map((row) => Number(row.event_id.slice('chaos-'.length))));
    const accounted = [...published].filter((seq) => seen.has(seq) || deadSeqs.has(seq)).length;
    if (accounted === published.size) break;
    if (accounted !== lastAccounted) {
      lastAccounted = accounted;
      lastProgress = Date.now();
      log(`waiting: ${accounted} of ${published.size} events accounted for`);
    }
    if (Date.now() - lastProgress > options.idleTimeoutMs) {
      timeline.note(`gave up waiting: nothing new for ${options.idleTimeoutMs / 1000} s`);
      break;
    }
    await sleep(1_000);
  }
  await sleep(2_000);
  seen = await seenSeqs();
  const stats = await receiver.ask({ type: 'stats' });
  const deadSeqs = new Set(dead.map((row) => Number(row.event_id.slice('chaos-'.length))));
  const tiers = RETRY_SCHEDULE.split(',').length;
  return {
    published,
    seen,
    deadSeqs,
    stats,
    dead,
    delivered: [...published].filter((seq) => seen.has(seq)).length,
    deadCount: [...published].filter((seq) => !seen.has(seq) && deadSeqs.has(seq)).length,
    lost: [...published].filter((seq) => !seen.has(seq) && !deadSeqs.has(seq)).sort((a, b) => a - b),
    // Received although never acknowledged to the generator (an ack lost in a fault): not a loss.
    unacknowledged: [...seen].filter((seq) => !published.has(seq)).length,
    unjustified: dead.filter((row) => {
      const span = new Date(row.dead_at) - new Date(row.window_start);
      return !(span >= DEAD_LETTER_AFTER_MS * 0.8 || row.attempt_count >= tiers + 1);
    }),
  };
}

/**
 * The third witness: every record of <prefix>.outcomes, read from the beginning to the end the
 * topic has now (outcomes are written before each task's offset is committed, so by the time the
 * ledger settled they are there; read again for up to 30 s while some are missing). Each record is
 * parsed with the contract's schema; one that does not match is malformed. Per published event
 * (eventId chaos-<seq>): missing when it has no record that matches, disagreeing when a record says
 * `delivered` of a dead letter or `dead` (or `discarded`) of an event the receiver got.
 */
async function witnessOutcomes(chaos, ledger, timeline) {
  const { prefix, kafka } = chaos;
  const topic = `${prefix}.outcomes`;
  const contract = await import(join(ROOT, 'libs/contracts/dist/outcomes/outcome.contract.js'));
  const deadline = Date.now() + 30_000;
  for (let round = 1; ; round++) {
    const { byEvent, malformed } = await readWholeTopic(kafka, topic, `${prefix}.chaos-outcomes-${round}`, contract);
    const records = [...byEvent.values()].reduce((sum, outcomes) => sum + outcomes.length, malformed.length);
    const missing = [];
    const disagreeing = [];
    let repeated = 0;
    for (const seq of ledger.published) {
      const outcomes = byEvent.get(`chaos-${seq}`) ?? [];
      const expected = ledger.seen.has(seq) ? 'delivered' : ledger.deadSeqs.has(seq) ? 'dead' : null;
      if (outcomes.length === 0) {
        if (expected !== null) missing.push(seq);
        continue;
      }
      if (outcomes.length > 1) repeated++;
      if (expected !== null && outcomes.some((outcome) => outcome !== expected)) disagreeing.push(seq);
    }
    if ((missing.length === 0 && disagreeing.length === 0) || Date.now() > deadline) {
      timeline.note(`outcomes read: ${records} records on ${topic}, ${malformed.length} not matching the contract`);
      return { records, malformed, missing, disagreeing, repeated };
    }
    log(`outcomes: ${missing.length} events without a record yet, ${disagreeing.length} disagreeing; reading again`);
    await sleep(5_000);
  }
}

/**
 * Every outcome recorded on `topic` that matches the contract, by eventId, and every record that
 * does not (malformed), read from the beginning to the end offsets of now (within 2 minutes), in a
 * consumer group of its own that is deleted afterwards.
 */
async function readWholeTopic(kafka, topic, groupId, contract) {
  const admin = kafka.admin();
  await admin.connect();
  const witness = { byEvent: new Map(), malformed: [] };
  try {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high, low }) => [partition, { high: Number(high), low: Number(low) }]));
    const remaining = new Set([...ends].filter(([, { high, low }]) => high > low).map(([partition]) => partition));
    if (remaining.size === 0) return witness;
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await readUntilEnd(consumer, ends, remaining, witness, contract);
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
  } finally {
    await admin.disconnect();
  }
  return witness;
}

/**
 * The record as the contract documents it (libs/contracts outcome.contract.ts: its value an
 * outcomeRecord, its key that record's messageId), or why it is not.
 */
function parseOutcome(contract, key, value) {
  let json;
  try {
    json = JSON.parse(value?.toString() ?? '');
  } catch {
    return { problem: 'the value is not JSON' };
  }
  const parsed = contract.outcomeRecord.safeParse(json);
  if (!parsed.success) return { problem: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`).join('; ') };
  const keyText = key?.toString() ?? null;
  if (!contract.outcomeKey.safeParse(keyText).success || keyText !== parsed.data.messageId) return { problem: `key ${keyText} is not the messageId ${parsed.data.messageId}` };
  return { record: parsed.data };
}

/** Runs the consumer until it has read every partition of `remaining` up to its end in `ends`, gathering outcomes by eventId and the malformed records. */
function readUntilEnd(consumer, ends, remaining, { byEvent, malformed }, contract) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the outcomes topic was not read to its end within 2 minutes (partitions ${[...remaining].join(', ')} short)`)), 120_000);
    const eachMessage = async ({ partition, message }) => {
      const { record, problem } = parseOutcome(contract, message.key, message.value);
      if (problem) malformed.push({ partition, offset: message.offset, problem });
      else if (record.eventId !== null) {
        if (!byEvent.has(record.eventId)) byEvent.set(record.eventId, []);
        byEvent.get(record.eventId).push(record.outcome);
      }
      if (Number(message.offset) >= ends.get(partition).high - 1) remaining.delete(partition);
      if (remaining.size === 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    consumer.run({ eachMessage }).catch((error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The report's lines, and what makes the run fail. */
function report({ chaos, services, ownKafka, ownPostgres, sent, timeline, windows, outcomes, poisoned, published, stats, dead, delivered, deadCount, lost, unacknowledged, unjustified }) {
  const { options, prefix, kafkaUrl, databaseUrl } = chaos;
  const out = [];
  out.push('');
  out.push('chaos test');
  out.push(`command          ${commandLine(import.meta.url)}`);
  out.push(`stack            kafka ${kafkaUrl}${ownKafka ? ' (its own)' : ''}; postgresql ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}${ownPostgres ? ' (its own)' : ''}; prefix ${prefix}`);
  out.push(`services         ingest, fanout, delivery x2, retry; retry schedule ${RETRY_SCHEDULE}, dead letter after ${DEAD_LETTER_AFTER_MS / 1000} s, circuit cooldown ${CIRCUIT_BREAKER_COOLDOWN}`);
  out.push(`load             ${options.rate} events/s onto ${prefix}.ingest, ${options.apps} applications x 1 endpoint (application ${ORDERED_APP}'s FIFO); ${sent} events generated`);
  out.push('timeline');
  for (const line of timeline.lines) out.push(`  ${line}`);
  out.push(`ledger           published ${published.size} = delivered ${delivered} + dead ${deadCount} + lost ${lost.length}   ${lost.length === 0 ? 'OK' : 'EVENTS LOST'}`);
  if (lost.length > 0) out.push(`  lost           eventIds chaos-${lost.slice(0, 20).join(', chaos-')}${lost.length > 20 ? ', ...' : ''}`);
  const outcomesOk = outcomes.missing.length === 0 && outcomes.disagreeing.length === 0;
  out.push(
    `outcomes         ${outcomes.records} records on ${chaos.prefix}.outcomes: ${outcomes.missing.length} events without one, ${outcomes.disagreeing.length} disagreeing (delivered vs dead), ${outcomes.repeated} with more than one   ${outcomesOk ? 'OK' : 'OUTCOMES WRONG'}`,
  );
  for (const [what, seqs] of [['missing', outcomes.missing], ['disagreeing', outcomes.disagreeing]]) {
    if (seqs.length > 0) out.push(`  ${what.padEnd(14)} eventIds chaos-${seqs.slice(0, 20).join(', chaos-')}${seqs.length > 20 ? ', ...' : ''}`);
  }
  out.push(`outcome shape    ${outcomes.records} records parsed with the contract's outcomeRecord (key: the messageId): ${outcomes.malformed.length} not matching   ${outcomes.malformed.length === 0 ? 'OK' : 'OUTCOMES MALFORMED'}`);
  for (const { partition, offset, problem } of outcomes.malformed.slice(0, 10)) out.push(`  malformed      partition ${partition} offset ${offset}: ${problem.slice(0, 200)}`);
  out.push(`duplicates       ${stats.duplicates} (the same webhook-id received again)${stats.duplicatesOtherId ? `; ${stats.duplicatesOtherId} under another webhook-id` : ''}${unacknowledged ? `; ${unacknowledged} events received whose publish was never acknowledged` : ''}`);
  out.push(`dead letters     ${dead.length}${dead.length ? `, ${dead.length - unjustified.length} with the window spent or every tier used, ${unjustified.length} without` : ''}`);
  const clock = (at) => new Date(at).toISOString().slice(11, 23);
  for (const row of unjustified.slice(0, 10)) {
    out.push(`  ${row.event_id.padEnd(14)} accepted ${clock(row.accepted_at)}, dead ${clock(row.dead_at)}, ${row.attempt_count} attempts: ${row.attempts ?? 'none recorded'}`);
  }
  out.push(`receiver         answered ${stats.refused} requests with 503 while flapping`);
  const { ordered } = stats;
  out.push(
    `order            FIFO endpoint (application ${ORDERED_APP}, ${options.orderingKeys} ordering keys): ${ordered.requests} requests checked, ${ordered.violations} order violations   ${ordered.violations === 0 ? 'OK' : 'ORDER VIOLATED'}`,
  );
  for (const example of ordered.examples) out.push(`  violation      key ${example.key}: seq ${example.got} received after seq ${example.after}`);
  const misrejected = poisoned.filter(({ reason, expected }) => reason === null || !expected.test(reason));
  if (poisoned.length > 0) {
    out.push(`poison records   ${poisoned.length} published, ${poisoned.length - misrejected.length} on ${chaos.prefix}.ingest.rejected with the expected reason${misrejected.length ? '   NOT ALL REJECTED' : '   OK'}`);
    for (const { id, reason } of misrejected) out.push(`  ${id.padEnd(28)} ${reason === null ? 'not on the rejected topic' : `reason: ${reason.slice(0, 120)}`}`);
  }
  const latency = summarize(stats.latencies);
  out.push(`latency ms       accepted to received, all events: p50 ${fmt(latency.p50)}   p90 ${fmt(latency.p90)}   p99 ${fmt(latency.p99)}   max ${fmt(latency.max)}`);
  out.push('  by the window the event was sent in (from the start of its fault to the start of the next); log lines and duplicates by the window they came in:');
  const windowAt = (at) => Math.max(0, windows.findLastIndex((candidate) => candidate.at <= at));
  const byWindow = windows.map(() => []);
  stats.sentAt.forEach((at, i) => byWindow[windowAt(at)].push(stats.latencies[i]));
  // Every line any service instance wrote, and every duplicate received, by the window it fell in.
  const linesByWindow = windows.map(() => 0);
  for (const instance of services.started) {
    for (const at of instance.lineTimes) linesByWindow[windowAt(at)]++;
  }
  const duplicatesByWindow = windows.map(() => 0);
  for (const at of stats.duplicateAt) duplicatesByWindow[windowAt(at)]++;
  windows.forEach(({ name }, i) => {
    const part = summarize(byWindow[i]);
    out.push(
      `    ${name.padEnd(22)} ${String(byWindow[i].length).padStart(6)} events   p50 ${fmt(part.p50)}   p90 ${fmt(part.p90)}   p99 ${fmt(part.p99)}   max ${fmt(part.max)}   ${linesByWindow[i]} log lines   ${duplicatesByWindow[i]} duplicates received`,
    );
  });
  out.push(`duration         ${((Date.now() - timeline.started) / 1000).toFixed(0)} s`);
  const failures = [];
  if (lost.length > 0) failures.push(`${lost.length} events lost`);
  if (unjustified.length > 0) failures.push(`${unjustified.length} dead letters before their window ran out`);
  if (ordered.violations > 0) failures.push(`${ordered.violations} order violations on the FIFO endpoint`);
  if (outcomes.missing.length > 0) failures.push(`${outcomes.missing.length} events without an outcome record`);
  if (outcomes.disagreeing.length > 0) failures.push(`${outcomes.disagreeing.length} events whose outcome record disagrees`);
  if (outcomes.malformed.length > 0) failures.push(`${outcomes.malformed.length} outcome records not matching the contract`);
  if (misrejected.length > 0) failures.push(`${misrejected.length} poison records not rejected with their reason`);
  out.push(`result           ${failures.length === 0 ? 'OK' : `FAILED: ${failures.join('; ')}`}`);
  return { out, failures };
}

await runMain(import.meta.url, { usage: USAGE, options: OPTIONS, parse: parseOptions, main });
