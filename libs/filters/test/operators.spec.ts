import { compiled, matches } from './compile.js';

const order = {
  id: 'ord_1',
  status: 'paid',
  amount: 1500,
  currency: 'eur',
  region: 'eu',
  express: false,
  coupon: null,
  createdAt: '2026-03-01T10:00:00Z',
  tags: ['vip', 'gift'],
  scores: [3, 7],
  customer: { id: 'cus_9', address: { country: 'DE', city: 'Berlin' }, emails: [] },
  items: [
    { sku: 'A-1', qty: 2, price: 500 },
    { sku: 'B-7', qty: 1, price: 500, options: [{ name: 'wrap' }] },
  ],
};

describe('a bare value', () => {
  it('matches a field equal to it, of the same JSON type', () => {
    expect(matches({ status: 'paid' }, order)).toBe(true);
    expect(matches({ status: 'refunded' }, order)).toBe(false);
    expect(matches({ amount: 1500 }, order)).toBe(true);
    expect(matches({ amount: 1500.0 }, order)).toBe(true);
    expect(matches({ amount: '1500' }, order)).toBe(false);
    expect(matches({ express: false }, order)).toBe(true);
    expect(matches({ express: 0 }, order)).toBe(false);
  });

  it('null matches a field that is present and null, not a missing one', () => {
    expect(matches({ coupon: null }, order)).toBe(true);
    expect(matches({ voucher: null }, order)).toBe(false);
    expect(matches({ status: null }, order)).toBe(false);
  });

  it('matches an array field that holds it (array contains)', () => {
    expect(matches({ tags: 'vip' }, order)).toBe(true);
    expect(matches({ tags: 'sale' }, order)).toBe(false);
    expect(matches({ scores: 7 }, order)).toBe(true);
    expect(matches({ scores: '7' }, order)).toBe(false);
  });

  it('an array matches an equal array, in order', () => {
    expect(matches({ tags: ['vip', 'gift'] }, order)).toBe(true);
    expect(matches({ tags: ['gift', 'vip'] }, order)).toBe(false);
    expect(matches({ tags: ['vip'] }, order)).toBe(false);
    expect(matches({ customer: { emails: [] } }, order)).toBe(true);
  });

  it('every key must match (an implicit and); the empty filter matches everything', () => {
    expect(matches({ status: 'paid', region: 'eu' }, order)).toBe(true);
    expect(matches({ status: 'paid', region: 'us' }, order)).toBe(false);
    expect(matches({}, order)).toBe(true);
    expect(matches({}, {})).toBe(true);
  });

  it('a missing field never matches', () => {
    expect(matches({ missing: 'x' }, order)).toBe(false);
    expect(matches({ status: 'paid', missing: 'x' }, order)).toBe(false);
  });
});

describe('nested fields', () => {
  it('are reached by dotted keys and by nested objects alike', () => {
    expect(matches({ 'customer.address.country': 'DE' }, order)).toBe(true);
    expect(matches({ customer: { address: { country: 'DE' } } }, order)).toBe(true);
    expect(matches({ customer: { 'address.country': 'DE' } }, order)).toBe(true);
    expect(matches({ 'customer.address': { country: 'FR' } }, order)).toBe(false);
  });

  it('a nested object constrains only the keys it names', () => {
    expect(matches({ customer: { address: { city: 'Berlin' } } }, order)).toBe(true);
    expect(matches({ customer: { address: { city: 'Berlin', country: 'FR' } } }, order)).toBe(false);
  });

  it('a path through a missing key, a scalar or an array without an index resolves to nothing', () => {
    expect(matches({ 'customer.phone.country': 'DE' }, order)).toBe(false);
    expect(matches({ 'status.length': 4 }, order)).toBe(false);
    expect(matches({ 'items.sku': 'A-1' }, order)).toBe(false);
  });

  it('never reaches inherited properties', () => {
    expect(matches({ 'status.length': { $exist: true } }, order)).toBe(false);
    expect(matches({ constructor: { $exist: true } }, order)).toBe(false);
    expect(matches({ 'tags.length': 2 }, order)).toBe(false);
    expect(matches({ toString: { $exist: true } }, {})).toBe(false);
    const parsed = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    expect(matches({ '__proto__.polluted': true }, parsed)).toBe(true);
    expect(matches({ '__proto__.polluted': true }, {})).toBe(false);
  });
});

describe('array indices', () => {
  it('a canonical integer segment selects an element', () => {
    expect(matches({ 'items.0.sku': 'A-1' }, order)).toBe(true);
    expect(matches({ 'items.1.sku': 'A-1' }, order)).toBe(false);
    expect(matches({ 'items.1.options.0.name': 'wrap' }, order)).toBe(true);
    expect(matches({ 'tags.1': 'gift' }, order)).toBe(true);
    expect(matches({ items: { '0': { qty: 2 } } }, order)).toBe(true);
  });

  it('an index past the end, or not canonical, selects nothing', () => {
    expect(matches({ 'items.2.sku': { $exist: true } }, order)).toBe(false);
    expect(matches({ 'items.00.sku': 'A-1' }, order)).toBe(false);
    expect(matches({ 'items.-1.sku': 'B-7' }, order)).toBe(false);
  });

  it('an integer segment on an object is an ordinary key', () => {
    expect(matches({ 'byYear.2026': 3 }, { byYear: { '2026': 3 } })).toBe(true);
  });
});

describe('the $ wildcard (any element)', () => {
  it('matches when some element passes', () => {
    expect(matches({ 'items.$.sku': 'B-7' }, order)).toBe(true);
    expect(matches({ 'items.$.sku': 'C-0' }, order)).toBe(false);
    expect(matches({ 'items.$.options.$.name': 'wrap' }, order)).toBe(true);
  });

  it('the operators of one object must hold for the same element', () => {
    expect(matches({ 'items.$.qty': { $gte: 2, $lte: 2 } }, order)).toBe(true);
    expect(matches({ 'items.$.qty': { $gt: 1, $lt: 2 } }, order)).toBe(false);
  });

  it('separate keys may be satisfied by different elements (each path is its own condition)', () => {
    expect(matches({ 'items.$.sku': 'A-1', 'items.$.options': { $exist: true } }, order)).toBe(true);
  });

  it('$exist: false holds when no element has the field', () => {
    expect(matches({ 'items.$.discount': { $exist: false } }, order)).toBe(true);
    expect(matches({ 'items.$.options': { $exist: false } }, order)).toBe(false);
    expect(matches({ 'items.$.options': { $exist: true } }, order)).toBe(true);
  });

  it('on an object or a scalar there are no elements', () => {
    expect(matches({ 'customer.$.id': 'cus_9' }, order)).toBe(false);
    expect(matches({ '$.id': 'ord_1' }, order)).toBe(false);
  });
});

describe('$eq and $neq', () => {
  it('$eq compares the whole value; an array field is not searched', () => {
    expect(matches({ status: { $eq: 'paid' } }, order)).toBe(true);
    expect(matches({ amount: { $eq: 1500 } }, order)).toBe(true);
    expect(matches({ tags: { $eq: 'vip' } }, order)).toBe(false);
    expect(matches({ tags: { $eq: ['vip', 'gift'] } }, order)).toBe(true);
    expect(matches({ 'customer.address': { $eq: { city: 'Berlin', country: 'DE' } } }, order)).toBe(true);
    expect(matches({ 'customer.address': { $eq: { city: 'Berlin' } } }, order)).toBe(false);
    expect(matches({ coupon: { $eq: null } }, order)).toBe(true);
  });

  it('$neq holds for a present value that differs, and never for a missing field', () => {
    expect(matches({ status: { $neq: 'refunded' } }, order)).toBe(true);
    expect(matches({ status: { $neq: 'paid' } }, order)).toBe(false);
    expect(matches({ amount: { $neq: '1500' } }, order)).toBe(true);
    expect(matches({ missing: { $neq: 'x' } }, order)).toBe(false);
  });

  it('operand keys that look like operators are literal inside $eq', () => {
    expect(matches({ query: { $eq: { $gt: 1 } } }, { query: { $gt: 1 } })).toBe(true);
  });
});

describe('$gt, $gte, $lt, $lte', () => {
  it('compare numbers', () => {
    expect(matches({ amount: { $gt: 1000 } }, order)).toBe(true);
    expect(matches({ amount: { $gt: 1500 } }, order)).toBe(false);
    expect(matches({ amount: { $gte: 1500 } }, order)).toBe(true);
    expect(matches({ amount: { $lt: 1500 } }, order)).toBe(false);
    expect(matches({ amount: { $lte: 1500 } }, order)).toBe(true);
    expect(matches({ amount: { $gt: 1499.99, $lt: 1500.01 } }, order)).toBe(true);
    expect(matches({ amount: { $gt: -1e308 } }, order)).toBe(true);
  });

  it('compare strings with strings (ISO timestamps in one format order in time)', () => {
    expect(matches({ createdAt: { $gte: '2026-01-01T00:00:00Z' } }, order)).toBe(true);
    expect(matches({ createdAt: { $lt: '2026-03-01T09:59:59Z' } }, order)).toBe(false);
    expect(matches({ currency: { $gt: 'a', $lt: 'f' } }, order)).toBe(true);
  });

  it('never coerce: a number against a string operand, a numeric string against a number, an array', () => {
    expect(matches({ amount: { $gt: '1000' } }, order)).toBe(false);
    expect(matches({ id: { $gt: 0 } }, { id: '1500' })).toBe(false);
    expect(matches({ scores: { $gt: 1 } }, order)).toBe(false);
    expect(matches({ coupon: { $lt: 1 } }, order)).toBe(false);
    expect(matches({ express: { $lt: 1 } }, order)).toBe(false);
  });

  it('a missing field is neither greater nor less', () => {
    expect(matches({ missing: { $gt: 0 } }, order)).toBe(false);
    expect(matches({ missing: { $lte: 0 } }, order)).toBe(false);
  });
});

describe('$in and $nin', () => {
  it('with a list: the field is one of its members', () => {
    expect(matches({ region: { $in: ['eu', 'uk'] } }, order)).toBe(true);
    expect(matches({ region: { $in: ['us', 'ca'] } }, order)).toBe(false);
    expect(matches({ amount: { $in: [1500, 3000] } }, order)).toBe(true);
    expect(matches({ amount: { $in: ['1500'] } }, order)).toBe(false);
    expect(matches({ coupon: { $in: [null, 'WELCOME'] } }, order)).toBe(true);
    expect(matches({ region: { $in: [] } }, order)).toBe(false);
  });

  it('members that are objects or arrays compare as whole values', () => {
    expect(matches({ 'customer.address': { $in: [{ country: 'DE', city: 'Berlin' }, 'x'] } }, order)).toBe(true);
    expect(matches({ tags: { $in: [['vip', 'gift']] } }, order)).toBe(true);
  });

  it('with a list, an array field is compared as a whole, as in Convoy (use $or of bare values to ask "holds any of")', () => {
    expect(matches({ tags: { $in: ['vip', 'sale'] } }, order)).toBe(false);
    expect(matches({ tags: { $nin: ['vip', 'sale'] } }, order)).toBe(true);
    expect(matches({ $or: [{ tags: 'vip' }, { tags: 'sale' }] }, order)).toBe(true);
  });

  it('with a single value: the field is an array that holds it', () => {
    expect(matches({ tags: { $in: 'gift' } }, order)).toBe(true);
    expect(matches({ tags: { $in: 'sale' } }, order)).toBe(false);
    expect(matches({ status: { $in: 'paid' } }, order)).toBe(false);
    expect(matches({ tags: { $nin: 'sale' } }, order)).toBe(true);
  });

  it('$nin holds for a present value outside the list, and never for a missing field', () => {
    expect(matches({ region: { $nin: ['us', 'ca'] } }, order)).toBe(true);
    expect(matches({ region: { $nin: ['eu'] } }, order)).toBe(false);
    expect(matches({ missing: { $nin: ['eu'] } }, order)).toBe(false);
  });
});

describe('$exist', () => {
  it('true: the field is present, whatever its value (null, false, an object, an empty array)', () => {
    for (const field of ['coupon', 'express', 'customer', 'customer.emails', 'items.0']) {
      expect(matches({ [field]: { $exist: true } }, order)).toBe(true);
      expect(matches({ [field]: { $exist: false } }, order)).toBe(false);
    }
  });

  it('false: the field is absent', () => {
    expect(matches({ voucher: { $exist: false } }, order)).toBe(true);
    expect(matches({ voucher: { $exist: true } }, order)).toBe(false);
    expect(matches({ 'customer.phone': { $exist: false } }, order)).toBe(true);
  });

  it('combines with other operators on the same field', () => {
    expect(matches({ status: { $exist: true, $neq: 'refunded' } }, order)).toBe(true);
    expect(matches({ voucher: { $exist: false, $eq: 'x' } }, order)).toBe(false);
  });
});

describe('$regex', () => {
  it('searches a string field (unanchored unless the pattern anchors)', () => {
    expect(matches({ id: { $regex: 'ord_' } }, order)).toBe(true);
    expect(matches({ id: { $regex: '^ord_[0-9]+$' } }, order)).toBe(true);
    expect(matches({ id: { $regex: '_1$' } }, order)).toBe(true);
    expect(matches({ id: { $regex: '^cus_' } }, order)).toBe(false);
  });

  it('takes RE2 syntax: inline flags, named groups, classes', () => {
    expect(matches({ status: { $regex: '(?i)^PAID$' } }, order)).toBe(true);
    expect(matches({ createdAt: { $regex: '^(?P<year>\\d{4})-03-' } }, order)).toBe(true);
    expect(matches({ 'customer.address.city': { $regex: '^\\p{Lu}\\pL+$' } }, order)).toBe(true);
  });

  it('never matches a value that is not a string', () => {
    expect(matches({ amount: { $regex: '1500' } }, order)).toBe(false);
    expect(matches({ tags: { $regex: 'vip' } }, order)).toBe(false);
    expect(matches({ coupon: { $regex: '.*' } }, order)).toBe(false);
  });
});

describe('$and and $or', () => {
  it('combine conditions', () => {
    expect(matches({ $and: [{ status: 'paid' }, { amount: { $gt: 1000 } }] }, order)).toBe(true);
    expect(matches({ $and: [{ status: 'paid' }, { amount: { $gt: 2000 } }] }, order)).toBe(false);
    expect(matches({ $or: [{ status: 'refunded' }, { amount: { $gt: 1000 } }] }, order)).toBe(true);
    expect(matches({ $or: [{ status: 'refunded' }, { amount: { $gt: 2000 } }] }, order)).toBe(false);
  });

  it('nest, and combine with sibling keys (all of which must hold)', () => {
    const filter = { currency: 'eur', $or: [{ region: 'uk' }, { $and: [{ region: 'eu' }, { 'customer.address.country': { $in: ['DE', 'AT'] } }] }] };
    expect(matches(filter, order)).toBe(true);
    expect(matches(filter, { ...order, currency: 'gbp' })).toBe(false);
    expect(matches(filter, { ...order, customer: { address: { country: 'FR' } } })).toBe(false);
  });

  it('under a field, their branches are relative to that field', () => {
    expect(matches({ customer: { $or: [{ id: 'cus_0' }, { 'address.city': 'Berlin' }] } }, order)).toBe(true);
    expect(matches({ customer: { $and: [{ id: 'cus_9' }, { 'address.city': 'Paris' }] } }, order)).toBe(false);
  });

  it('an empty branch matches everything', () => {
    expect(matches({ $or: [{}, { status: 'refunded' }] }, order)).toBe(true);
    expect(matches({ $and: [{}] }, order)).toBe(true);
  });
});

describe('a compiled predicate', () => {
  it('is reusable across payloads and does not change them', () => {
    const predicate = compiled({ 'items.$.qty': { $gte: 2 }, tags: 'vip' });
    const snapshot = JSON.stringify(order);
    expect([order, { ...order, tags: [] }, {}, { items: 'none' }].map(predicate)).toEqual([true, false, false, false]);
    expect(JSON.stringify(order)).toBe(snapshot);
  });

  it('does not share state with the document it was compiled from', () => {
    const filter = { region: { $in: ['eu'] } };
    const predicate = compiled(filter);
    filter.region.$in.push('us');
    expect(predicate({ region: 'us' })).toBe(false);
  });
});
