import { compileFilter } from '@hookline/filters';
import { matches, problemsOf } from './compile.js';

// The examples of Convoy's "Filters" documentation page and the cases of its own test suite
// (pkg/compare), restated with payloads of our own: each filter must give Convoy's answer.

describe("Convoy's documented filter examples", () => {
  it('direct object match', () => {
    const filter = { event_type: 'created' };
    expect(matches(filter, { event_type: 'created', id: 1 })).toBe(true);
    expect(matches(filter, { event_type: 'deleted' })).toBe(false);
  });

  it('nested object match', () => {
    const filter = { event: { type: 'created' } };
    expect(matches(filter, { event: { type: 'created', at: 'now' } })).toBe(true);
    expect(matches(filter, { event: { type: 'updated' } })).toBe(false);
    expect(matches(filter, { event: 'created' })).toBe(false);
  });

  it('array contains match', () => {
    const filter = { dish: { ingredients: 'rice' } };
    expect(matches(filter, { dish: { ingredients: ['beans', 'rice', 'plantain'] } })).toBe(true);
    expect(matches(filter, { dish: { ingredients: ['beans'] } })).toBe(false);
  });

  it('$neq filter', () => {
    const filter = { event: { $neq: 'created' } };
    expect(matches(filter, { event: 'deleted' })).toBe(true);
    expect(matches(filter, { event: 'created' })).toBe(false);
  });

  it('$or filter', () => {
    const filter = { $or: [{ cities: 'london' }, { type: 'weekly' }] };
    expect(matches(filter, { cities: ['paris', 'london'], type: 'daily' })).toBe(true);
    expect(matches(filter, { cities: ['paris'], type: 'weekly' })).toBe(true);
    expect(matches(filter, { cities: ['paris'], type: 'daily' })).toBe(false);
  });

  it('$and filter with a nested $or', () => {
    const filter = { $and: [{ age: { $gte: 10 } }, { $or: [{ type: 'weekly' }, { cities: 'lagos' }] }] };
    expect(matches(filter, { age: 10, type: 'monthly', cities: ['lagos', 'abuja'] })).toBe(true);
    expect(matches(filter, { age: 9, type: 'weekly' })).toBe(false);
    expect(matches(filter, { age: 30, type: 'monthly', cities: ['abuja'] })).toBe(false);
  });

  it('$in and $nin filters', () => {
    expect(matches({ operation: { $in: ['created', 'deleted'] } }, { operation: 'deleted' })).toBe(true);
    expect(matches({ operation: { $in: ['created', 'deleted'] } }, { operation: 'updated' })).toBe(false);
    expect(matches({ operation: { $nin: ['updated', 'truncated'] } }, { operation: 'created' })).toBe(true);
    expect(matches({ operation: { $nin: ['updated', 'truncated'] } }, { operation: 'updated' })).toBe(false);
  });

  it('numeric filter', () => {
    expect(matches({ age: { $gt: 1 } }, { age: 2 })).toBe(true);
    expect(matches({ age: { $gt: 1 } }, { age: 1 })).toBe(false);
  });

  it('array positional filter ($.): accepted; on Hookline payloads, which are objects, a root $. finds no array', () => {
    const filter = { '$.venues.$.lagos': 'lekki' };
    expect(compileFilter(filter).ok).toBe(true);
    expect(matches(filter, { venues: [{ lagos: 'lekki' }] })).toBe(false);
    // The same filter one level down, where Hookline payloads keep their arrays:
    const venues = { events: [{ name: 'meetup' }, { venues: [{ lagos: ['ikeja', 'lekki'] }, { ibadan: ['bodija'] }] }] };
    expect(matches({ 'events.$.venues.$.lagos': 'lekki' }, venues)).toBe(true);
    expect(matches({ 'events.$.venues.$.lagos': 'bariga' }, venues)).toBe(false);
  });

  it('regex filter', () => {
    const filter = { event_type: { $regex: '^es_[a-zA-Z]+$' } };
    expect(matches(filter, { event_type: 'es_created' })).toBe(true);
    expect(matches(filter, { event_type: 'es_created_2' })).toBe(false);
    expect(matches(filter, { event_type: 'created' })).toBe(false);
  });

  it('caveat: arrays nested more than three levels ($.a.$.b.$.c.$.e) are refused', () => {
    expect(problemsOf({ '$.a.$.b.$.c.$.e': 'x' })[0]).toMatchObject({ code: 'invalid_path' });
    expect(compileFilter({ '$.a.$.b.$.c': 'x' }).ok).toBe(true);
  });
});

describe("Convoy's own test cases (pkg/compare)", () => {
  const weekly = { cities: ['lagos', 'ibadan', 'agodi'], type: 'weekly', temperatures: [30, 12, 39.9, 10], person: { age: 12 } };

  it('regexes, including named groups in Go syntax', () => {
    expect(matches({ event: { $regex: '^[a-zA-Z]+$' } }, { event: 'qwerty' })).toBe(true);
    expect(matches({ event: { $regex: '^cs_[a-zA-Z]+$' } }, { event: 'cs_qwerty' })).toBe(true);
    const url = '^(?P<scheme>[^:\\/?#]+):(?:\\/\\/)?(?:(?:(?P<login>[^:]+)(?::(?P<password>[^@]+)?)?@)?(?P<host>[^@\\/?#:]*)(?::(?P<port>\\d+)?)?)?(?P<path>[^?#]*)(?:\\?(?P<query>[^#]*))?(?:#(?P<fragment>.*))?';
    expect(matches({ event: { $regex: url } }, { event: 'https://user:secret@registry.example.net/v2/apps/agent?status=UP&at=1643797857108' })).toBe(true);
  });

  it('equality, with and without $eq; $neq, $lt, $gt', () => {
    expect(matches({ person: { age: 5 } }, { person: { age: 5 } })).toBe(true);
    expect(matches({ person: { age: { $eq: 5 } } }, { person: { age: 5 } })).toBe(true);
    expect(matches({ person: { name: { $eq: 'tunde' } } }, { person: { name: 'tunde' } })).toBe(true);
    expect(matches({ person: { age: { $neq: 5 } } }, { person: { age: 5 } })).toBe(false);
    expect(matches({ person: { age: { $neq: 5 } } }, { person: { age: 11 } })).toBe(true);
    expect(matches({ person: { age: { $lt: 15 } } }, { person: { age: 11 } })).toBe(true);
    expect(matches({ person: { age: { $lt: 5 } } }, { person: { age: 11 } })).toBe(false);
    expect(matches({ person: { age: { $gt: 5 } } }, { person: { age: 11 } })).toBe(true);
    expect(matches({ person: { age: { $gt: 50 } } }, { person: { age: 11 } })).toBe(false);
  });

  it('$in and $nin on a scalar field; a bare value against an array field', () => {
    expect(matches({ person: { name: { $in: ['subomi', 'daniel'] } } }, { person: { name: 'raymond' } })).toBe(false);
    expect(matches({ person: { name: { $in: ['subomi', 'daniel'] } } }, { person: { name: 'subomi' } })).toBe(true);
    expect(matches({ person: { name: { $nin: ['subomi', 'daniel'] } } }, { person: { name: 'raymond' } })).toBe(true);
    expect(matches({ person: { name: { $nin: ['subomi', 'daniel'] } } }, { person: { name: 'subomi' } })).toBe(false);
    expect(matches({ person: { name: 'subomi' } }, { person: { name: ['subomi', 'daniel'] } })).toBe(true);
    expect(matches({ person: { name: 'raymond' } }, { person: { name: ['subomi', 'daniel'] } })).toBe(false);
  });

  it('$and, $or, both, and $exist', () => {
    expect(matches({ $and: [{ 'person.age': { $gte: 10 } }, { type: 'weekly' }, { cities: 'lagos' }] }, weekly)).toBe(true);
    expect(matches({ $or: [{ type: 'monthly' }, { cities: 'lagos' }] }, weekly)).toBe(true);
    expect(matches({ $and: [{ 'person.age': { $gte: 10 } }, { $or: [{ type: 'weekly' }, { cities: 'lagos' }] }] }, weekly)).toBe(true);
    expect(matches({ person: { age: { $exist: true } } }, weekly)).toBe(true);
  });

  it('positional $ one and two levels deep; each key may match a different element', () => {
    const meetup = { data: [{ event: 'meetup' }, { venue: 'test' }, { speakers: [{ name: 'raymond' }, { name: 'subomi' }] }], swag: 'hoodies' };
    expect(matches({ 'data.$.event': 'meetup', 'data.$.venue': 'test' }, meetup)).toBe(true);
    expect(matches({ 'data.$.speakers.$.name': 'raymond', swag: 'hoodies' }, meetup)).toBe(true);
    expect(matches({ 'data.$.speakers.$.name': 'tunde' }, meetup)).toBe(false);
  });

  it('a positional $ in a nested key, with $in lists, some of them empty placeholders', () => {
    const cast = {
      type: 'cast.created',
      data: { author: { fid: 7 }, parent_author: { fid: null }, parent_url: null, mentioned: [{ fid: 12 }, { fid: 123 }, { fid: 1232323 }, { fid: 1 }] },
    };
    const filter = {
      $or: [
        { $and: [{ type: 'user.updated' }, { data: { fid: { $in: [] } } }] },
        {
          $and: [
            { type: 'cast.created' },
            {
              $or: [
                { data: { author: { fid: { $in: [] } } } },
                { data: { parent_author: { fid: { $in: [] } } } },
                { data: { 'mentioned.$': { fid: { $in: [1232323] } } } },
                { data: { parent_url: { $in: [] } } },
              ],
            },
          ],
        },
      ],
    };
    expect(matches(filter, cast)).toBe(true);
    expect(matches(filter, { ...cast, data: { ...cast.data, mentioned: [{ fid: 12 }] } })).toBe(false);
    expect(matches(filter, { ...cast, type: 'user.updated' })).toBe(false);
  });

  it('edge cases: trailing and bare $ segments are refused; an empty filter matches; a missing key does not', () => {
    for (const key of ['data.$.venue.$', '$.venues.$.lagos.$', '.$', '$..$']) expect(compileFilter({ [key]: 'test' }).ok).toBe(false);
    expect(matches({}, {})).toBe(true);
    expect(matches({ key: 'value' }, {})).toBe(false);
  });

  it('regressions: missing fields, $exist, non-numeric values', () => {
    expect(matches({ type: 'invoice', customer: 'alice' }, { type: 'invoice' })).toBe(false);
    expect(matches({ customer: { $exist: false } }, { type: 'invoice' })).toBe(true);
    expect(matches({ type: 'invoice', customer: { $exist: true } }, { type: 'invoice' })).toBe(false);
    expect(matches({ customer: { $exist: false } }, { customer: 'alice' })).toBe(false);
    expect(compileFilter({ customer: { $exist: 'yes' } }).ok).toBe(false);
    expect(matches({ amount: { $lt: 10.0 } }, { amount: 'invalid' })).toBe(false);
    expect(matches({ amount: { $lt: 10.0 } }, { amount: 5.0 })).toBe(true);
    expect(matches({ amount: { $lt: 10.0 } }, { amount: 10.0 })).toBe(false);
    expect(matches({ $or: [{ type: 'invoice', customer: 'alice' }, { type: 'payment' }] }, { type: 'invoice' })).toBe(false);
    expect(matches({ $or: [{ customer: 'alice' }, { type: 'invoice' }] }, { type: 'invoice' })).toBe(true);
    expect(matches({ customer: { $exist: false, $eq: 'alice' } }, { type: 'invoice' })).toBe(false);
  });

  it('regressions where Hookline answers at write time what Convoy answers with an evaluation error', () => {
    // Convoy: `{"amount": {"$lt": "invalid"}}` errors when evaluated. Hookline orders strings,
    // so the filter is valid, and a number is never less than a string: no match either way.
    expect(matches({ amount: { $lt: 'invalid' } }, { amount: 5.0 })).toBe(false);
    // Convoy: `{"customer": {}}` never matches. Hookline refuses it when the filter is written.
    expect(problemsOf({ type: 'invoice', customer: {} })[0]).toMatchObject({ path: ['customer'], code: 'invalid_filter' });
  });

  it('$in with a single value on a mixed-type array field', () => {
    expect(matches({ ids: { $in: 'a' } }, { ids: ['a', 1] })).toBe(true);
    expect(matches({ ids: { $in: 1 } }, { ids: ['a', 1] })).toBe(true);
  });
});
