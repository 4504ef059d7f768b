// node scripts/bench/stats.mjs [--attempts 1000000] [--apps 10] [--endpoints 10] [--runs 100] [--batches 100]
//     [--keep] [--no-build]: how much the stats routes cost on a database holding a million attempts,
// with and without the indexes migration StatsIndexes1796414522709 adds, and what those indexes cost
// the attempt insert path. Plain ESM JavaScript for Node 24; a benchmark that prints numbers, not a test.
//
//   --attempts   attempts to seed, spread over the last 24 hours (one per delivery and attempt
//                number, deliveries of 2.5 attempts on average)
//   --apps       applications seeded, each with --endpoints endpoints; the first endpoint of the first
//                application gets a tenth of all deliveries (a busy endpoint)
//   --runs       times each query (and each route's queries together) runs; the report gives p50 and p99
//   --batches    batches of 500 attempts written through delivery's own writeBatch, per variant
//   --keep       leave the seeded rows (by default the seeded applications are deleted, with all they own)
//   --no-build   never run scripts/build.sh
//
// It needs DATABASE_URL, migrated (npm run migration:run), on a database of its own: it adds rows
// (under applications named "stats-bench ...") and drops and rebuilds the stats indexes. The queries
// are the ingest StatsRepository's and the writes delivery's AttemptRepository's, from the built
// dist/. messages, message_endpoints and attempts are partitioned by message id (UUIDv7, migration
// PartitionedMessages1796410464057): the seeded ids carry their rows' times, in partitions the
// retention sweep's plan creates. Steps: seed; VACUUM ANALYZE (autovacuum does it on its own for a
// table that only grows); time each query, and each route's queries as its service runs them
// (together), and keep each query's EXPLAIN (ANALYZE, BUFFERS); write batches; drop the stats
// indexes (the migration's down) and do both again; build them again with the migration's up,
// timed: plainly, since PostgreSQL builds no index CONCURRENTLY on a partitioned table.
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { commandLine, ensureBuilt, integerOption, log, ROOT, runMain, summarize, UsageError } from './harness.mjs';

const USAGE = 'node scripts/bench/stats.mjs [--attempts 1000000] [--apps 10] [--endpoints 10] [--runs 100] [--batches 100] [--keep] [--no-build]';
const OPTIONS = {
  attempts: { type: 'string', default: '1000000' },
  apps: { type: 'string', default: '10' },
  endpoints: { type: 'string', default: '10' },
  runs: { type: 'string', default: '100' },
  batches: { type: 'string', default: '100' },
  keep: { type: 'boolean', default: false },
};
const HOUR = 3_600_000;
const BATCH = 500;
/** The indexes migration StatsIndexes1796414522709 creates (and its down drops). */
const STATS_INDEXES = ['IDX_attempts_stats_time', 'IDX_attempts_stats_application', 'IDX_message_endpoints_stats_dead'];
/** The retention the partitions are planned for: the default HOOKLINE_RETENTION, 90 days (daily partitions). */
const RETENTION_MS = 90 * 24 * HOUR;
/** The circuit breaker's default threshold: how many latest attempts the endpoint route reads. */
const CIRCUIT_THRESHOLD = 5;
/** A UUIDv7 (version 7, RFC 4122 variant) of the millisecond of the timestamp `at`, in SQL. */
const uuidv7Of = (at) =>
  `(lpad(to_hex(floor(extract(epoch FROM ${at}) * 1000)::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15))::uuid`;

function parse(values) {
  const integer = integerOption(values);
  if (!process.env.DATABASE_URL) throw new UsageError('DATABASE_URL is required: a migrated database of its own');
  return {
    attempts: integer('attempts', 1_000, 50_000_000),
    apps: integer('apps', 1, 1_000),
    endpoints: integer('endpoints', 1, 50),
    runs: integer('runs', 1, 1_000),
    batches: integer('batches', 1, 10_000),
    keep: values.keep,
  };
}

async function main(options) {
  await ensureBuilt(options.build);
  const { DataSource } = await import('typeorm');
  const { StatsRepository } = await import(join(ROOT, 'apps/ingest/dist/stats/stats.repository.js'));
  const { AttemptRepository } = await import(join(ROOT, 'apps/delivery/dist/attempts/attempt.repository.js'));
  const { RetentionRepository } = await import(join(ROOT, 'apps/ingest/dist/retention/retention.repository.js'));
  const { partitionPlan, rangesToCreate } = await import(join(ROOT, 'apps/ingest/dist/retention/retention.service.js'));
  const { uuidv7 } = await import(join(ROOT, 'libs/database/dist/ids.js'));
  const { StatsIndexes1796414522709 } = await import(join(ROOT, 'libs/database/dist/migrations/1796414522709-stats-indexes.js'));
  const dataSource = await new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, poolSize: 4, applicationName: 'hookline-stats-bench' }).initialize();
  const out = ['', 'stats benchmark', `command          ${commandLine(import.meta.url)}`];
  const plans = [];
  const world = { apps: [], endpoints: [], busyEndpoint: null };
  try {
    await createPartitions(dataSource, { RetentionRepository, partitionPlan, rangesToCreate });
    await seed(dataSource, options, world, out);
    const writes = new AttemptRepository(dataSource);
    const now = new Date();
    const busy = { id: world.busyEndpoint, applicationId: world.endpoints[0].app };
    const appEndpoints = world.endpoints.filter((endpoint) => endpoint.app === world.apps[1 % world.apps.length]).map((endpoint) => endpoint.id);
    // Each query as the repository runs it, given the repository to run it with.
    const queries = [
      ['endpoint stats, busy endpoint, 24 h', (stats) => stats.endpointAttempts(busy, new Date(now - 24 * HOUR), now)],
      ['endpoint stats, busy endpoint, 1 h', (stats) => stats.endpointAttempts(busy, new Date(now - HOUR), now)],
      ['application stats, 24 h', (stats) => stats.applicationAttempts(world.apps[1 % world.apps.length], new Date(now - 24 * HOUR), now)],
      ['application stats, 1 h', (stats) => stats.applicationAttempts(world.apps[1 % world.apps.length], new Date(now - HOUR), now)],
      ['deliveries waiting/dead, one app', (stats) => stats.deliveries(appEndpoints)],
      ['overview, 3 h in 1 m buckets', (stats) => stats.overview(new Date(now - 3 * HOUR), now, 60_000)],
      ['overview, 24 h in 15 m buckets', (stats) => stats.overview(new Date(now - 24 * HOUR), now, 900_000)],
      ['dead letters, total', (stats) => stats.deadLetters()],
      // Each route's queries, run together as its service runs them (the overview's retry-tier depth is Kafka's, left out).
      ['route: endpoint stats, busy, 24 h', (stats) =>
        Promise.all([stats.endpointAttempts(busy, new Date(now - 24 * HOUR), now), stats.deliveries([busy.id]), stats.latestOutcomes(busy.id, CIRCUIT_THRESHOLD)])],
      ['route: application stats, 24 h', (stats) => Promise.all([stats.applicationAttempts(world.apps[1 % world.apps.length], new Date(now - 24 * HOUR), now), stats.deliveries(appEndpoints)])],
      ['route: overview, 3 h (default)', (stats) => Promise.all([stats.overview(new Date(now - 3 * HOUR), now, 60_000), stats.deadLetters()])],
      ['route: overview, 24 h', (stats) => Promise.all([stats.overview(new Date(now - 24 * HOUR), now, 900_000), stats.deadLetters()])],
    ];
    const repositories = (label) => ({
      timed: new StatsRepository(dataSource),
      // The same repository over a data source that also explains each statement it runs.
      explained: new StatsRepository({
        query: async (sql, parameters) => {
          const plan = await dataSource.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, parameters);
          plans.push(`-- ${label}\n${sql.trim().replace(/\s+/g, ' ')}\n${plan.map((row) => row['QUERY PLAN']).join('\n')}`);
          return dataSource.query(sql, parameters);
        },
      }),
    });

    const withIndexes = await measure(queries, repositories('with the stats indexes'), options);
    const writesWith = await measureWrites(dataSource, writes, world, options, uuidv7);
    const migration = new StatsIndexes1796414522709();
    // Reverted inside a transaction, as TypeORM reverts: a partitioned index cannot be dropped CONCURRENTLY.
    await withQueryRunner(dataSource, async (runner) => {
      await runner.startTransaction();
      await migration.down(runner);
      await runner.commitTransaction();
    });
    await dataSource.query('ANALYZE attempts; ANALYZE message_endpoints');
    const without = await measure(queries, repositories('without the stats indexes'), options);
    const writesWithout = await measureWrites(dataSource, writes, world, options, uuidv7);
    const started = performance.now();
    await withQueryRunner(dataSource, (runner) => migration.up(runner));
    const buildSeconds = (performance.now() - started) / 1000;
    const sizes = await dataSource.query(
      `SELECT name, pg_size_pretty((SELECT sum(pg_relation_size(p.relid)) FROM pg_partition_tree(quote_ident(name)::regclass) p)) AS size FROM unnest($1::text[]) AS name`,
      [STATS_INDEXES],
    );

    out.push('query (ms)                              with indexes: p50      p99    without: p50      p99');
    queries.forEach(([name], index) => {
      const a = withIndexes[index];
      const b = without[index];
      out.push(`  ${name.padEnd(38)} ${fmtMs(a.p50).padStart(12)} ${fmtMs(a.p99).padStart(8)} ${fmtMs(b.p50).padStart(13)} ${fmtMs(b.p99).padStart(8)}`);
    });
    out.push(`writeBatch of ${BATCH} attempts     with indexes: median ${fmtMs(writesWith.median)} ms, ${Math.round(writesWith.rowsPerSecond)} attempts/s   without: median ${fmtMs(writesWithout.median)} ms, ${Math.round(writesWithout.rowsPerSecond)} attempts/s`);
    out.push(`index builds     the migration's up, plain CREATE INDEX on the partitioned parents: ${buildSeconds.toFixed(1)} s for the three; ${sizes.map(({ name, size }) => `${name} ${size}`).join(', ')}`);
    const planFile = join(ROOT, 'test-artifacts', 'stats-plans.txt');
    await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
    await writeFile(planFile, plans.join('\n\n'));
    out.push(`plans            ${planFile}`);
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } finally {
    if (!options.keep && world.apps.length > 0) {
      log('deleting the seeded applications (and their rows)');
      // The messages first (their statuses and attempts go with them, partition to partition): no foreign key from them to applications.
      await dataSource.query('DELETE FROM messages WHERE application_id = ANY($1::uuid[])', [world.apps]);
      await dataSource.query('DELETE FROM endpoints WHERE application_id = ANY($1::uuid[])', [world.apps]);
      await dataSource.query('DELETE FROM applications WHERE id = ANY($1::uuid[])', [world.apps]);
    }
    await dataSource.destroy();
  }
}

const fmtMs = (ms) => ms.toFixed(ms < 10 ? 2 : 1);

async function withQueryRunner(dataSource, work) {
  const runner = dataSource.createQueryRunner();
  try {
    return await work(runner);
  } finally {
    await runner.release();
  }
}

/**
 * The partitions for the seeded day, as the retention sweep plans them (ingest creates them ahead at
 * its start and every minute; a database only migrated has them up to the migration's minute).
 */
async function createPartitions(dataSource, { RetentionRepository, partitionPlan, rangesToCreate }) {
  const retention = new RetentionRepository(dataSource);
  for (const range of rangesToCreate(await retention.ranges(), Date.now(), partitionPlan(RETENTION_MS))) await retention.createRange(range.from, range.to, 10_000);
}

/**
 * Applications, endpoints, messages, one delivery status per message, and attempts spread over
 * the last 24 hours, written by the database itself (generate_series) rather than row by row.
 */
async function seed(dataSource, options, world, out) {
  const started = performance.now();
  for (let app = 0; app < options.apps; app++) {
    const id = randomUUID();
    world.apps.push(id);
    await dataSource.query(`INSERT INTO applications (id, name) VALUES ($1, $2)`, [id, `stats-bench ${app}`]);
    for (let endpoint = 0; endpoint < options.endpoints; endpoint++) {
      const endpointId = randomUUID();
      world.endpoints.push({ id: endpointId, app: id });
      await dataSource.query(`INSERT INTO endpoints (id, application_id, url, secret_ciphertext, secret_key_id) VALUES ($1, $2, $3, 'x', 'bench')`, [endpointId, id, `https://receiver.example/${app}/${endpoint}`]);
    }
  }
  world.busyEndpoint = world.endpoints[0].id;
  const deliveries = Math.ceil(options.attempts / 2.5);
  // Delivery d belongs to endpoint (d % 10 = 0: the busy one; else any), its message to that endpoint's application.
  // A table of its own (a pool connection's temporary table would be gone on the next).
  const table = `stats_bench_${randomUUID().slice(0, 8)}`;
  await dataSource.query(
    `CREATE UNLOGGED TABLE ${table} AS
     SELECT d, e.id AS endpoint_id, e.app AS application_id,
            created_at, ${uuidv7Of('created_at')} AS message_id
     FROM (SELECT d, now() - random() * interval '24 hours' AS created_at FROM generate_series(1, $1) AS d) AS g
     CROSS JOIN LATERAL (SELECT (CASE WHEN d % 10 = 0 THEN 0 ELSE 1 + (d::bigint * 7919) % ($3 - 1) END) AS pick) AS p
     JOIN (SELECT ordinality - 1 AS n, id, app FROM unnest($2::uuid[], $4::uuid[]) WITH ORDINALITY AS x(id, app)) AS e ON e.n = p.pick`,
    [deliveries, world.endpoints.map((endpoint) => endpoint.id), world.endpoints.length, world.endpoints.map((endpoint) => endpoint.app)],
  );
  try {
    await dataSource.query(
      `INSERT INTO messages (id, application_id, event_type, payload, created_at)
       SELECT message_id, application_id, 'bench.stats', '{"n":1}', created_at FROM ${table}`,
    );
    // Attempt k of a delivery, 5 s apart; deliveries make 1 to 4 attempts (2.5 on average) until --attempts are made.
    await dataSource.query(
      `INSERT INTO attempts (id, message_id, endpoint_id, application_id, attempt_number, url, succeeded, response_status_code, response_duration_ms, created_at)
       SELECT ${uuidv7Of('at')}, message_id, endpoint_id, application_id, k, 'https://receiver.example/', k = tries, CASE WHEN k = tries THEN 200 ELSE 500 END, 20, at
       FROM (SELECT *, 1 + d % 4 AS tries FROM ${table}) AS b, generate_series(1, b.tries) AS k, LATERAL (SELECT created_at + k * interval '5 seconds' AS at) AS a
       LIMIT $1`,
      [options.attempts],
    );
    // Statuses: most succeeded; every 50th dead, every 40th still waiting for a retry, every 100th pending.
    await dataSource.query(
      `INSERT INTO message_endpoints (message_id, endpoint_id, application_id, status, attempt_count, last_attempt_at, next_attempt_at)
       SELECT message_id, endpoint_id, application_id,
              (CASE WHEN d % 50 = 0 THEN 'dead' WHEN d % 40 = 0 THEN 'failed' WHEN d % 100 = 1 THEN 'pending' ELSE 'succeeded' END)::delivery_status,
              1 + d % 4, created_at + interval '20 seconds', CASE WHEN d % 40 = 0 AND d % 50 <> 0 THEN now() + interval '5 minutes' END
       FROM ${table}`,
    );
  } finally {
    await dataSource.query(`DROP TABLE ${table}`);
  }
  const [{ attempts }] = await dataSource.query('SELECT count(*) AS attempts FROM attempts');
  const [{ partitions, inDefault }] = await dataSource.query(
    `SELECT (SELECT count(*) FROM pg_inherits WHERE inhparent = 'attempts'::regclass) AS partitions, (SELECT count(*) FROM attempts_default) AS "inDefault"`,
  );
  log(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s; vacuuming`);
  await dataSource.query('VACUUM ANALYZE attempts');
  await dataSource.query('VACUUM ANALYZE message_endpoints');
  const [{ size }] = await dataSource.query(`SELECT pg_size_pretty(sum(pg_total_relation_size(relid))) AS size FROM pg_partition_tree('attempts')`);
  out.push(`database         ${attempts} attempts in the table (${size} with its indexes, ${partitions} partitions, ${inDefault} attempts in the DEFAULT one); ${options.apps} applications x ${options.endpoints} endpoints seeded, the busy endpoint a tenth of them`);
}

/** Each query `runs` times after one warm-up (p50 and p99), then once more explained. */
async function measure(queries, { timed, explained }, options) {
  const results = [];
  for (const [, run] of queries) {
    await run(timed);
    const times = [];
    for (let i = 0; i < options.runs; i++) {
      const started = performance.now();
      await run(timed);
      times.push(performance.now() - started);
    }
    results.push(summarize(times));
    await run(explained);
  }
  return results;
}

/** `batches` batches of 500 attempts (with their status rows) through delivery's writeBatch, each committed. */
async function measureWrites(dataSource, writes, world, options, uuidv7) {
  const times = [];
  let rows = 0;
  const messages = await dataSource.query(`SELECT id, application_id FROM messages WHERE application_id = ANY($1::uuid[]) LIMIT $2`, [world.apps, options.batches * BATCH]);
  for (let batch = 0; batch < options.batches; batch++) {
    const slice = messages.slice(batch * BATCH, (batch + 1) * BATCH);
    if (slice.length === 0) break;
    const at = new Date();
    const attempts = slice.map((message, index) => {
      const endpoint = world.endpoints.find((candidate) => candidate.app === message.application_id) ?? world.endpoints[0];
      return {
        id: uuidv7(),
        messageId: message.id,
        endpointId: endpoint.id,
        applicationId: message.application_id,
        attemptNumber: 9,
        url: 'https://receiver.example/',
        succeeded: index % 5 !== 0,
        responseStatusCode: index % 5 !== 0 ? 200 : 500,
        responseDurationMs: 20,
        responseExcerpt: '',
        error: null,
        trigger: 'scheduled',
        createdAt: at,
        traceId: null,
      };
    });
    const statuses = attempts.map((attempt) => ({ ...attempt, status: attempt.succeeded ? 'succeeded' : 'dead', attemptCount: 9, lastAttemptAt: at, nextAttemptAt: null }));
    const started = performance.now();
    await writes.writeBatch({ attempts, statuses, outcomes: [], ordered: [] });
    times.push(performance.now() - started);
    rows += attempts.length;
  }
  times.sort((a, b) => a - b);
  const total = times.reduce((sum, time) => sum + time, 0);
  return { median: times[Math.floor(times.length / 2)], rowsPerSecond: rows / (total / 1000) };
}

await runMain(import.meta.url, { usage: USAGE, options: OPTIONS, parse, main });
