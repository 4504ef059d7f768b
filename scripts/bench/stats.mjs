// node scripts/bench/stats.mjs [--attempts 1000000] [--apps 10] [--endpoints 10] [--runs 20] [--batches 100]
//     [--keep] [--no-build]: how much the stats routes cost on a database holding a million attempts,
// with and without the indexes migration StatsIndexes1796414522709 adds, and what those indexes cost
// the attempt insert path. Plain ESM JavaScript for Node 24; a benchmark that prints numbers, not a test.
//
//   --attempts   attempts to seed, spread over the last 24 hours (one per delivery and attempt
//                number, deliveries of 2.5 attempts on average)
//   --apps       applications seeded, each with --endpoints endpoints; the first endpoint of the first
//                application gets a tenth of all deliveries (a busy endpoint)
//   --runs       times each query runs; the report gives the median and the worst
//   --batches    batches of 500 attempts written through delivery's own writeBatch, per variant
//   --keep       leave the seeded rows (by default the seeded applications are deleted, with all they own)
//   --no-build   never run scripts/build.sh
//
// It needs DATABASE_URL, migrated (npm run migration:run), on a database of its own: it adds rows
// (under applications named "stats-bench ...") and drops and rebuilds the stats indexes. The queries
// are the ingest StatsRepository's and the writes delivery's AttemptRepository's, from the built
// dist/. Steps: seed; VACUUM ANALYZE (autovacuum does it on its own for a table that only grows);
// time each query and keep its EXPLAIN (ANALYZE, BUFFERS); write batches; drop the stats indexes
// and do both again; rebuild the indexes CONCURRENTLY as the migration does, timed.
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { commandLine, ensureBuilt, integerOption, log, ROOT, runMain, UsageError } from './harness.mjs';

const USAGE = 'node scripts/bench/stats.mjs [--attempts 1000000] [--apps 10] [--endpoints 10] [--runs 20] [--batches 100] [--keep] [--no-build]';
const OPTIONS = {
  attempts: { type: 'string', default: '1000000' },
  apps: { type: 'string', default: '10' },
  endpoints: { type: 'string', default: '10' },
  runs: { type: 'string', default: '20' },
  batches: { type: 'string', default: '100' },
  keep: { type: 'boolean', default: false },
};
const HOUR = 3_600_000;
const BATCH = 500;
/** The migration's indexes, as it creates them. */
const STATS_INDEXES = [
  ['IDX_attempts_stats_time', 'attempts', '("created_at") INCLUDE ("succeeded")'],
  ['IDX_attempts_stats_application', 'attempts', '("application_id", "created_at") INCLUDE ("endpoint_id", "succeeded")'],
  ['IDX_message_endpoints_stats_dead', 'message_endpoints', `("last_attempt_at") WHERE "status" = 'dead'`],
];

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
  const dataSource = await new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, poolSize: 4, applicationName: 'hookline-stats-bench' }).initialize();
  const out = ['', 'stats benchmark', `command          ${commandLine(import.meta.url)}`];
  const plans = [];
  const world = { apps: [], endpoints: [], busyEndpoint: null };
  try {
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
    const writesWith = await measureWrites(dataSource, writes, world, options);
    for (const [name] of STATS_INDEXES) await dataSource.query(`DROP INDEX CONCURRENTLY IF EXISTS "${name}"`);
    await dataSource.query('ANALYZE attempts; ANALYZE message_endpoints');
    const without = await measure(queries, repositories('without the stats indexes'), options);
    const writesWithout = await measureWrites(dataSource, writes, world, options);
    const builds = [];
    for (const [name, table, definition] of STATS_INDEXES) {
      const started = performance.now();
      await dataSource.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON "${table}" ${definition}`);
      const [{ size }] = await dataSource.query(`SELECT pg_size_pretty(pg_relation_size($1::regclass)) AS size`, [`"${name}"`]);
      builds.push(`${name} ${((performance.now() - started) / 1000).toFixed(1)} s, ${size}`);
    }

    out.push('query (ms)                              with indexes: median   worst    without: median   worst');
    queries.forEach(([name], index) => {
      const a = withIndexes[index];
      const b = without[index];
      out.push(`  ${name.padEnd(38)} ${fmt(a.median).padStart(12)} ${fmt(a.worst).padStart(7)} ${fmt(b.median).padStart(17)} ${fmt(b.worst).padStart(7)}`);
    });
    out.push(`writeBatch of ${BATCH} attempts     with indexes: median ${fmt(writesWith.median)} ms, ${Math.round(writesWith.rowsPerSecond)} attempts/s   without: median ${fmt(writesWithout.median)} ms, ${Math.round(writesWithout.rowsPerSecond)} attempts/s`);
    out.push(`index builds     ${builds.join('; ')}`);
    const planFile = join(ROOT, 'test-artifacts', 'stats-plans.txt');
    await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
    await writeFile(planFile, plans.join('\n\n'));
    out.push(`plans            ${planFile}`);
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } finally {
    if (!options.keep && world.apps.length > 0) {
      log('deleting the seeded applications (and their rows)');
      await dataSource.query('DELETE FROM applications WHERE id = ANY($1::uuid[])', [world.apps]);
    }
    await dataSource.destroy();
  }
}

const fmt = (ms) => ms.toFixed(ms < 10 ? 2 : 1);

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
     SELECT d, gen_random_uuid() AS message_id, e.id AS endpoint_id, e.app AS application_id,
            now() - random() * interval '24 hours' AS created_at
     FROM generate_series(1, $1) AS d
     CROSS JOIN LATERAL (SELECT (CASE WHEN d % 10 = 0 THEN 0 ELSE 1 + (d::bigint * 7919) % ($3 - 1) END) AS pick) AS p
     JOIN (SELECT ordinality - 1 AS n, id, app FROM unnest($2::uuid[], $4::uuid[]) WITH ORDINALITY AS x(id, app)) AS e ON e.n = p.pick`,
    [deliveries, world.endpoints.map((endpoint) => endpoint.id), world.endpoints.length, world.endpoints.map((endpoint) => endpoint.app)],
  );
  try {
    await dataSource.query(
      `INSERT INTO messages (id, application_id, event_type, payload, created_at, expires_at)
       SELECT message_id, application_id, 'bench.stats', '{"n":1}', created_at, created_at + interval '90 days' FROM ${table}`,
    );
    // Attempt k of a delivery, 5 s apart; deliveries make 1 to 4 attempts (2.5 on average) until --attempts are made.
    await dataSource.query(
      `INSERT INTO attempts (id, message_id, endpoint_id, application_id, attempt_number, url, succeeded, response_status_code, response_duration_ms, created_at)
       SELECT gen_random_uuid(), message_id, endpoint_id, application_id, k, 'https://receiver.example/', k = tries, CASE WHEN k = tries THEN 200 ELSE 500 END, 20, created_at + k * interval '5 seconds'
       FROM (SELECT *, 1 + d % 4 AS tries FROM ${table}) AS b, generate_series(1, b.tries) AS k
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
  log(`seeded in ${((performance.now() - started) / 1000).toFixed(0)} s; vacuuming`);
  await dataSource.query('VACUUM ANALYZE attempts');
  await dataSource.query('VACUUM ANALYZE message_endpoints');
  const [{ size }] = await dataSource.query(`SELECT pg_size_pretty(pg_total_relation_size('attempts')) AS size`);
  out.push(`database         ${attempts} attempts in the table (${size} with its indexes); ${options.apps} applications x ${options.endpoints} endpoints seeded, the busy endpoint a tenth of them`);
}

/** Each query `runs` times after one warm-up, then once more explained. */
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
    times.sort((a, b) => a - b);
    results.push({ median: times[Math.floor(times.length / 2)], worst: times.at(-1) });
    await run(explained);
  }
  return results;
}

/** `batches` batches of 500 attempts (with their status rows) through delivery's writeBatch, each committed. */
async function measureWrites(dataSource, writes, world, options) {
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
        id: randomUUID(),
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
      };
    });
    const statuses = attempts.map((attempt) => ({ ...attempt, status: attempt.succeeded ? 'succeeded' : 'dead', attemptCount: 9, lastAttemptAt: at, nextAttemptAt: null }));
    const started = performance.now();
    await writes.writeBatch({ attempts, statuses, outcomes: [] });
    times.push(performance.now() - started);
    rows += attempts.length;
  }
  times.sort((a, b) => a - b);
  const total = times.reduce((sum, time) => sum + time, 0);
  return { median: times[Math.floor(times.length / 2)], rowsPerSecond: rows / (total / 1000) };
}

await runMain(import.meta.url, { usage: USAGE, options: OPTIONS, parse, main });
