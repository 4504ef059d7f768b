// node scripts/bench/filters.mjs [--endpoints 50] [--events 20000] [--rounds 7] [--no-build]:
// the CPU cost per event of evaluating every endpoint's payload filter (libs/filters, compiled
// once) against a realistic payload, next to the same loop with no filters. Plain ESM JavaScript
// for Node 24; a benchmark that prints numbers, not a test. No Kafka, no database: this is the
// filter engine alone, the part of fanout's CPU that filters add.
//
//   --endpoints  endpoints of one application, each with its own filter (50, the per-app limit)
//   --events     events evaluated per round
//   --rounds     rounds; the report gives the median round and the spread
//   --no-build   never run scripts/build.sh (by default it runs when a dist/ is missing or stale)
//
// What it measures, in CPU time of the process, per event (the payload is parsed once per event,
// as fanout receives it):
//   none        the loop over the endpoints with an always-true predicate (no filter)
//   mixed       the endpoints' filters: equality, comparisons, $in lists, nested paths, $or,
//               $ wildcards over the items, and a few $regex, as customers write them
//   heavy       every endpoint's filter near the limits of a realistic one: 12 conditions each,
//               two wildcards over the items and two regexes
//   parse       JSON.parse of the payload, for scale (fanout pays it per event anyway)
// and once per filter: the compile time. Also the cost of one $regex match with RE2 (re2js) next
// to JavaScript's RegExp, the price of linear-time matching.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { ensureBuilt, integerOption, readHeader, runMain } from './harness.mjs';

const order = {
  type: 'order.paid',
  id: 'ord_8f2a91c4',
  amount: 1840,
  currency: 'eur',
  region: 'eu',
  channel: 'web',
  test: false,
  createdAt: '2026-11-30T14:05:12Z',
  tags: ['vip', 'newsletter', 'gift'],
  customer: {
    id: 'cus_19c7',
    email: 'ada.lovelace@example.com',
    tier: 'gold',
    address: { line1: '12 Analytical Row', city: 'Berlin', postalCode: '10115', country: 'DE' },
    marketingOptIn: true,
  },
  items: [
    { sku: 'BK-1001', name: 'Notes on the Engine', qty: 1, price: 2400, category: 'books' },
    { sku: 'PN-0420', name: 'Fountain pen', qty: 2, price: 3100, category: 'stationery' },
    { sku: 'PP-0077', name: 'Ruled paper, 100 sheets', qty: 4, price: 450, category: 'stationery' },
    { sku: 'GW-0001', name: 'Gift wrap', qty: 1, price: 300, category: 'services' },
    { sku: 'SH-EXP', name: 'Express shipping', qty: 1, price: 990, category: 'shipping' },
  ],
  payment: { method: 'card', brand: 'visa', last4: '4242', threeDSecure: true },
  metadata: { campaign: 'winter-sale', source: 'newsletter', experiment: 'checkout-v3' },
};

const regions = ['eu', 'uk', 'us', 'ca', 'apac'];
const countries = ['DE', 'FR', 'NL', 'GB', 'US'];

/** One realistic filter per endpoint, of a kind chosen by its number. */
function mixedFilter(index) {
  switch (index % 10) {
    case 0:
    case 1:
      return { type: index % 4 === 0 ? 'order.paid' : 'order.refunded' };
    case 2:
      return { amount: { $gt: 500 * (index % 7) } };
    case 3:
      return { region: { $in: regions.slice(0, 1 + (index % 5)) }, test: false };
    case 4:
      return { customer: { address: { country: countries[index % 5] }, tier: { $in: ['gold', 'platinum'] } } };
    case 5:
      return { $or: [{ amount: { $gte: 10_000 } }, { 'customer.tier': 'gold' }, { tags: 'vip' }] };
    case 6:
      return { 'items.$.category': index % 3 === 0 ? 'books' : 'toys' };
    case 7:
      return { 'items.$.price': { $gte: 1000, $lte: 5000 }, currency: 'eur' };
    case 8:
      return { 'metadata.campaign': { $regex: '^winter-' }, channel: { $neq: 'pos' } };
    default:
      return { 'customer.email': { $regex: '@example\\.(com|org)$' }, 'payment.threeDSecure': true };
  }
}

/** A filter near the size of the largest a customer plausibly writes. */
function heavyFilter(index) {
  return {
    type: { $in: ['order.paid', 'order.captured', 'order.updated'] },
    amount: { $gte: 100 + index, $lt: 1_000_000 },
    currency: { $nin: ['usd', 'cad'] },
    test: { $neq: true },
    'customer.address.country': { $in: countries },
    'customer.tier': { $exist: true },
    'items.$.category': { $in: ['books', 'stationery'] },
    'items.$.qty': { $gte: 1 },
    'customer.email': { $regex: '^[a-z.]+@example\\.com$' },
    'metadata.campaign': { $regex: '(?i)sale' },
    $or: [{ 'payment.method': 'card' }, { 'payment.method': 'sepa' }],
  };
}

/**
 * CPU nanoseconds (user + system, of this process) per call of `perEvent`, over `events` calls:
 * CPU rather than wall time, so that other work on a shared machine inflates the numbers less.
 * The result is kept so nothing is optimised away.
 */
function measure(perEvent, events) {
  let kept = 0;
  const started = process.cpuUsage();
  for (let event = 0; event < events; event++) kept += perEvent(event);
  const used = process.cpuUsage(started);
  return { ns: ((used.user + used.system) * 1_000) / events, kept };
}

function rounds(label, perEvent, events, count) {
  measure(perEvent, Math.min(events, 5_000)); // warm-up: JIT
  const results = Array.from({ length: count }, () => measure(perEvent, events).ns).sort((a, b) => a - b);
  return { label, median: results[Math.floor(count / 2)], min: results[0], max: results[count - 1] };
}

async function main() {
  const { values } = parseArgs({
    options: {
      endpoints: { type: 'string', default: '50' },
      events: { type: 'string', default: '20000' },
      rounds: { type: 'string', default: '7' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${readHeader(import.meta.url)}\n`);
    return 0;
  }
  const integer = integerOption(values);
  const endpoints = integer('endpoints', 1, 1_000);
  const events = integer('events', 100, 10_000_000);
  const roundCount = integer('rounds', 1, 100);
  await ensureBuilt(!values['no-build']);
  const { compileFilter } = await import('@hookline/filters');
  const { RE2JS } = await import('re2js');

  const compileAll = (make) => {
    const started = process.cpuUsage();
    const predicates = Array.from({ length: endpoints }, (_, index) => {
      const result = compileFilter(make(index));
      if (!result.ok) throw new Error(`bench filter ${index} refused: ${JSON.stringify(result.problems)}`);
      return result.predicate;
    });
    const used = process.cpuUsage(started);
    return { predicates, compileUs: (used.user + used.system) / endpoints };
  };
  const mixed = compileAll(mixedFilter);
  const heavy = compileAll(heavyFilter);
  const none = Array.from({ length: endpoints }, () => () => true);

  const body = JSON.stringify(order);
  const payloads = Array.from({ length: 64 }, (_, index) => ({ ...JSON.parse(body), amount: 100 * index, region: regions[index % 5] }));
  const evaluate = (predicates) => (event) => {
    const payload = payloads[event & 63];
    let matched = 0;
    for (const predicate of predicates) if (predicate(payload)) matched++;
    return matched;
  };
  const matchedPerEvent = (predicates) => payloads.reduce((sum, payload) => sum + predicates.filter((predicate) => predicate(payload)).length, 0) / payloads.length;

  const results = [
    rounds('none', evaluate(none), events, roundCount),
    rounds('mixed', evaluate(mixed.predicates), events, roundCount),
    rounds('heavy', evaluate(heavy.predicates), events, roundCount),
    rounds('parse', () => (JSON.parse(body).amount > 0 ? 1 : 0), events, roundCount),
  ];

  const re2 = RE2JS.compile('^[a-z.]+@example\\.com$');
  const js = /^[a-z.]+@example\.com$/;
  const regexRounds = [
    rounds('re2js', (event) => (re2.test(event & 1 ? 'ada.lovelace@example.com' : 'someone@example.org') ? 1 : 0), events * 5, roundCount),
    rounds('RegExp', (event) => (js.test(event & 1 ? 'ada.lovelace@example.com' : 'someone@example.org') ? 1 : 0), events * 5, roundCount),
  ];

  const us = (ns) => (ns / 1_000).toFixed(2);
  const out = [];
  out.push(`filters: ${endpoints} endpoints, ${events} events x ${roundCount} rounds, payload ${body.length} bytes, node ${process.version}, load average ${loadavg()[0].toFixed(1)}`);
  out.push('');
  out.push('CPU per event       median µs   (min-max)       per endpoint ns   endpoints matched');
  for (const result of results) {
    const perEndpoint = result.label === 'parse' ? '' : String(Math.round(result.median / endpoints));
    const matched = { none: endpoints, mixed: matchedPerEvent(mixed.predicates), heavy: matchedPerEvent(heavy.predicates) }[result.label];
    out.push(
      `${result.label.padEnd(18)}  ${us(result.median).padStart(9)}   (${us(result.min)}-${us(result.max)})`.padEnd(50) +
        `${perEndpoint.padStart(12)}   ${matched === undefined ? '' : matched.toFixed(1).padStart(14)}`,
    );
  }
  const base = results[0].median;
  out.push('');
  out.push(`filters add: mixed ${us(results[1].median - base)} µs/event, heavy ${us(results[2].median - base)} µs/event over no filters`);
  out.push(`compile, once per endpoint version: mixed ${mixed.compileUs.toFixed(0)} µs/filter, heavy ${heavy.compileUs.toFixed(0)} µs/filter (first compiles include JIT warm-up)`);
  out.push(`one $regex match (24-char address): re2js ${(regexRounds[0].median).toFixed(0)} ns, RegExp ${(regexRounds[1].median).toFixed(0)} ns`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

await runMain(import.meta.url, main, 'node scripts/bench/filters.mjs [--endpoints 50] [--events 20000] [--rounds 7] [--no-build]');
