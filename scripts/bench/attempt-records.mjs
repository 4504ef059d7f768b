// CPU per recorded attempt of two builds' AttemptRepository.writeBatch (delivery's recording of
// a batch of attempts): delivery's side (this process) and PostgreSQL's backend (from /proc, so
// PostgreSQL on this machine), by rows per batch, the builds alternating. A benchmark that prints
// numbers, not a test. Each checkout must be built (`bash scripts/build.sh`).
//
//   DATABASE_URL=... node scripts/bench/attempt-records.mjs <checkout A> <checkout B> [--sizes 5,13,60] [--batches 400]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { v7 as uuidv7 } from 'uuid';
import { parseArgs } from 'node:util';
const { positionals, values } = parseArgs({ allowPositionals: true, options: { sizes: { type: 'string', default: '5,13,60' }, batches: { type: 'string', default: '400' } } });
const url = process.env.DATABASE_URL;
if (!url || positionals.length !== 2) throw new Error('usage: DATABASE_URL=... node scripts/bench/attempt-records.mjs <checkout A> <checkout B> [--sizes 5,13,60] [--batches 400]');
const builds = { A: positionals[0], B: positionals[1] };
const sizes = values.sizes.split(',').map(Number);
const BATCHES = Number(values.batches);
const ticks = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10_000; }; // µs at 100 Hz
const loaded = {};
for (const [name, root] of Object.entries(builds)) {
  const { dataSourceOptions } = await import(`${root}/libs/database/dist/index.js`);
  const { DataSource } = await import(`${root}/node_modules/typeorm/index.js`);
  const { AttemptRepository } = await import(`${root}/apps/delivery/dist/attempts/attempt.repository.js`);
  const ds = await new DataSource(dataSourceOptions({ url, tls: null, poolSize: 1, preparedStatements: true })).initialize();
  loaded[name] = { ds, repo: new AttemptRepository(ds), pid: (await ds.query('SELECT pg_backend_pid() AS pid'))[0].pid };
}
const ds = loaded.A.ds;
const app = (await ds.query(`INSERT INTO applications (name) VALUES ('record bench') RETURNING id`))[0].id;
const endpoint = (await ds.query(`INSERT INTO endpoints (application_id, url, secret_ciphertext, secret_key_id) VALUES ($1, 'https://example.com/hook', 'x', 'k1') RETURNING id`, [app]))[0].id;
async function messages(n) {
  const ids = Array.from({ length: n }, () => uuidv7());
  await ds.query(`INSERT INTO messages (id, application_id, event_type, payload) SELECT id, $2, 'bench.event', '{}' FROM unnest($1::uuid[]) id`, [ids, app]);
  await ds.query(`INSERT INTO message_endpoints (message_id, endpoint_id, application_id, status) SELECT id, $2, $3, 'pending' FROM unnest($1::uuid[]) id`, [ids, endpoint, app]);
  return ids;
}
function batchOf(ids) {
  const at = new Date();
  return {
    attempts: ids.map((messageId) => ({ id: uuidv7(), messageId, endpointId: endpoint, applicationId: app, attemptNumber: 1, url: 'https://example.com/hook', succeeded: true, responseStatusCode: 200, responseDurationMs: 2, responseExcerpt: 'ok', error: null, trigger: 'scheduled', createdAt: at, traceId: null })),
    statuses: ids.map((messageId) => ({ messageId, endpointId: endpoint, applicationId: app, status: 'succeeded', attemptCount: 1, lastAttemptAt: at, nextAttemptAt: null })),
    outcomes: [{ endpointId: endpoint, succeeded: true, at }],
    ordered: [],
  };
}
async function run(name, size) {
  const { repo, pid } = loaded[name];
  const batches = [];
  for (let i = 0; i < BATCHES; i++) batches.push(batchOf(await messages(size)));
  for (const b of batches.slice(0, 20)) await repo.writeBatch(b);
  const node0 = process.cpuUsage(), pg0 = ticks(pid), t0 = performance.now();
  for (const b of batches.slice(20)) await repo.writeBatch(b);
  const n = (BATCHES - 20) * size, node = process.cpuUsage(node0), pg = ticks(pid) - pg0;
  return { node: (node.user + node.system) / n, pg: pg / n, wall: ((performance.now() - t0) * 1000) / n };
}
console.log('rows per batch | build | delivery µs per attempt | PostgreSQL backend µs | wall µs');
for (const size of sizes) for (let round = 0; round < 3; round++) for (const name of ['A', 'B']) {
  const r = await run(name, size);
  console.log(`${size} | ${name} | ${r.node.toFixed(1)} | ${r.pg.toFixed(1)} | ${r.wall.toFixed(1)}`);
}
await ds.query('DELETE FROM applications WHERE id = $1', [app]);
for (const { ds } of Object.values(loaded)) await ds.destroy();
