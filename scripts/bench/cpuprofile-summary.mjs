// Where a process spent its CPU: the top self-time functions of a V8 .cpuprofile (as written by
// `node --cpu-prof`, e.g. by `npm run bench -- --profile delivery` into .local/profiles), and the
// same time grouped by where the code lives (a node_modules package, a Hookline workspace, Node's
// own internals, the garbage collector). Plain ESM JavaScript for Node 24; prints numbers.
//
//   node scripts/bench/cpuprofile-summary.mjs <file.cpuprofile> [--top 25] [--from 5s] [--to 40s]
//
//   --top    how many functions and areas to list (25)
//   --from   ignore samples before this offset from the profile's start (e.g. the boot)
//   --to     ignore samples after this offset from the profile's start
//
// Self time of a function is the time the sampler found it on top of the stack. "(idle)" (the
// event loop waiting) is left out of the percentages, which are of the busy time.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where a call frame's code lives, as a short label. */
function areaOf(frame) {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle)
    return '(native)';
  }
  if (url.startsWith('node:')) return 'node internals';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = path.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const local = relative(ROOT, path);
  const workspace = /^(apps|libs)\/([^/]+)\//.exec(local);
  if (workspace) return `hookline ${workspace[1]}/${workspace[2]}`;
  return local.startsWith('..') ? path : local;
}

function frameLabel(frame) {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  let where = frame.url.replace(/^file:\/\//, '');
  const modules = where.lastIndexOf('/node_modules/');
  if (modules >= 0) where = where.slice(modules + '/node_modules/'.length);
  else if (!where.startsWith('node:')) where = relative(ROOT, where);
  return `${name}  ${where}:${frame.lineNumber + 1}`;
}

/**
 * Self time per function and per area of one .cpuprofile, optionally only between two offsets
 * (ms from the profile's start). Returns the lines to print.
 */
export function summarizeProfile(file, { top = 25, fromMs = 0, toMs = Infinity } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  let t = 0; // µs since the profile's start
  let windowUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    // A sample's interval is the gap to the next one.
    const span = profile.timeDeltas[i + 1] ?? 0;
    if (t < fromMs * 1000 || t > toMs * 1000) continue;
    windowUs += span;
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + span);
  }
  const byFunction = new Map();
  const byArea = new Map();
  let idleUs = 0;
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id).callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const label = frameLabel(frame);
    byFunction.set(label, (byFunction.get(label) ?? 0) + us);
    const area = areaOf(frame);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / Math.max(1, busyUs)).toFixed(1).padStart(5)}%`;
  const ms = (us) => `${Math.round(us / 1000)}`.padStart(7);
  const lines = [];
  lines.push(`profile          ${relative(process.cwd(), file) || file}`);
  lines.push(
    `window           ${(windowUs / 1e6).toFixed(1)} s sampled${fromMs > 0 || toMs < Infinity ? ` (from ${Math.round(fromMs)} ms to ${toMs === Infinity ? 'the end' : `${Math.round(toMs)} ms`})` : ''}: busy ${(busyUs / 1e6).toFixed(1)} s (${((100 * busyUs) / Math.max(1, windowUs)).toFixed(0)}% of one core), idle ${(idleUs / 1e6).toFixed(1)} s`,
  );
  lines.push('');
  lines.push(`top ${top} functions by self time (ms, % of busy):`);
  for (const [label, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${ms(us)} ${pct(us)}  ${label}`);
  lines.push('');
  lines.push('self time by where the code lives (ms, % of busy):');
  for (const [area, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${ms(us)} ${pct(us)}  ${area}`);
  return lines;
}

/** "5s", "1500ms", "2m" or a bare number of ms. */
function offsetMs(text, flag) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(text).trim());
  if (!match) throw new Error(`--${flag}: expected a duration like 500ms, 5s or 2m, got "${text}"`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 'ms'];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { values, positionals } = parseArgs({
      options: { top: { type: 'string', default: '25' }, from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
    if (values.help || positionals.length !== 1) {
      process.stdout.write('usage: node scripts/bench/cpuprofile-summary.mjs <file.cpuprofile> [--top 25] [--from 5s] [--to 40s]\n');
      process.exit(values.help ? 0 : 2);
    }
    const lines = summarizeProfile(positionals[0], {
      top: Number(values.top),
      fromMs: values.from === undefined ? 0 : offsetMs(values.from, 'from'),
      toMs: values.to === undefined ? Infinity : offsetMs(values.to, 'to'),
    });
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    process.stderr.write(`cpuprofile-summary: ${error.message}\n`);
    process.exit(1);
  }
}
