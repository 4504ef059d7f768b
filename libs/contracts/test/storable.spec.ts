import { deliveryTask, eventValue, ingestKey, operationalEvent, ingestValue, jsonObject, MAX_JSON_DEPTH, NUL_MESSAGE, storageProblems, TOO_DEEP_MESSAGE, UNPAIRED_SURROGATE_MESSAGE } from '@hookline/contracts';
import { z } from 'zod';

/** A value nested `levels` deep: objects `{ a: ... }` around `bottom`. */
function nested(levels: number, bottom: unknown = 1): unknown {
  let value = bottom;
  for (let n = 0; n < levels; n++) value = { a: value };
  return value;
}

describe('storageProblems', () => {
  it('finds U+0000 in strings and keys at any depth, in document order', () => {
    const value = { a: 'fine', b: 'x\u0000', c: [{ 'k\u0000': 'also\u0000' }, 'ok', '\u0000'], d: { e: { f: 1, g: null, h: true } } };
    expect(storageProblems(value).map(({ path, type }) => [path, type])).toEqual([
      [['b'], 'nul_character'],
      [['c', 0, 'k\u0000'], 'nul_character'],
      [['c', 0, 'k\u0000'], 'nul_character'],
      [['c', 2], 'nul_character'],
    ]);
    expect(storageProblems('\u0000')).toEqual([{ path: [], type: 'nul_character', message: NUL_MESSAGE }]);
    expect(storageProblems({ a: ['b', { c: 'd' }], n: 1.5 })).toEqual([]);
  });

  it('finds unpaired surrogates (high or low, in a string or a key), and takes surrogate pairs as the characters they are', () => {
    const value = JSON.parse('{"ok":"\\ud83d\\ude00 \u00e9","high":"a\\ud800","low":"\\udc00b","list":["\\ud800\\ud800"],"\\udfff":1,"reversed":"\\ude00\\ud83d"}');
    expect(storageProblems(value).map(({ path, message }) => [path, message])).toEqual([
      [['high'], UNPAIRED_SURROGATE_MESSAGE],
      [['low'], UNPAIRED_SURROGATE_MESSAGE],
      [['list', 0], UNPAIRED_SURROGATE_MESSAGE],
      [['\udfff'], UNPAIRED_SURROGATE_MESSAGE],
      [['reversed'], UNPAIRED_SURROGATE_MESSAGE],
    ]);
  });

  it(`allows ${MAX_JSON_DEPTH} levels of nesting and names the first container beyond them, without looking into it`, () => {
    // The document is level 1, so `levels` wrappings around an object make levels + 1.
    expect(storageProblems(nested(MAX_JSON_DEPTH - 1, {}))).toEqual([]);
    const tooDeep = storageProblems(nested(MAX_JSON_DEPTH, { s: '\u0000' }));
    expect(tooDeep).toEqual([{ path: Array.from({ length: MAX_JSON_DEPTH }, () => 'a'), type: 'too_deep', message: TOO_DEEP_MESSAGE }]);
    // Arrays count as objects do; a scalar at the bottom adds no level.
    let list: unknown = 'bottom';
    for (let n = 0; n < MAX_JSON_DEPTH; n++) list = [list];
    expect(storageProblems(list)).toEqual([]);
    expect(storageProblems([list])[0]?.path).toHaveLength(MAX_JSON_DEPTH);
  });

  it('walks a document nested as deep as 256 KiB allows (no recursion to overflow), and reports at most the first 100', () => {
    let deep: unknown = 'bottom';
    for (let n = 0; n < 130_000; n++) deep = [deep];
    expect(storageProblems(deep)).toHaveLength(1);
    const everywhere = Array.from({ length: 40_000 }, () => '\u0000');
    expect(storageProblems(everywhere)).toHaveLength(100);
  });
});

describe('jsonObject', () => {
  it('keeps the value as it came, "__proto__" keys included, and leaves prototypes alone', () => {
    const payload = JSON.parse('{"__proto__":{"polluted":true},"nested":{"__proto__":1},"a":2}') as Record<string, unknown>;
    const parsed = jsonObject.parse(payload);
    expect(parsed).toBe(payload);
    expect(JSON.stringify(parsed)).toBe('{"__proto__":{"polluted":true},"nested":{"__proto__":1},"a":2}');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Through a contract too: fanout and delivery decode the payload with it.
    const event = eventValue.parse({ messageId: crypto.randomUUID(), applicationId: crypto.randomUUID(), eventType: 'a.b', eventId: null, channels: [], payload, createdAt: new Date().toISOString() });
    expect(Object.keys(event.payload)).toEqual(['__proto__', 'nested', 'a']);
  });

  it('refuses what is not a JSON object', () => {
    for (const value of [[], null, 'text', 1, undefined]) expect(jsonObject.safeParse(value).error?.issues[0]?.message).toBe('expected a JSON object');
  });

  it('stops the checks of what holds it when it is not an object, as a type error does', () => {
    // A record of them whose own check reads each as an object (an event type's schemas) is not run on a null.
    const seen: unknown[] = [];
    const holder = z.record(z.string(), jsonObject).superRefine((values) => void seen.push(...Object.values(values)));
    expect(holder.safeParse({ '1': null }).error?.issues.map((issue) => [issue.path, issue.message])).toEqual([[['1'], 'expected a JSON object']]);
    expect(seen).toEqual([]);
    expect(holder.safeParse({ '1': {} }).success).toBe(true);
  });
});

describe('the ingest topic contract', () => {
  it('refuses U+0000 in the key and anything unstorable anywhere in the value, naming where', () => {
    expect(ingestKey.safeParse('app\u0000').success).toBe(false);
    const parsed = ingestValue.safeParse({ eventType: 'a.b', payload: { note: 'x\u0000', list: ['\ud800'], deep: nested(MAX_JSON_DEPTH) } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => [issue.path.slice(0, 3), issue.message])).toEqual([
      [['payload', 'note'], NUL_MESSAGE],
      [['payload', 'list', 0], UNPAIRED_SURROGATE_MESSAGE],
      [['payload', 'deep', 'a'], TOO_DEEP_MESSAGE],
    ]);
  });
});

describe('the contracts of the topics Hookline writes itself', () => {
  // Fanout and delivery decode with them: a record written there past ingest must be refused as ingest refuses it.
  const ids = { messageId: crypto.randomUUID(), applicationId: crypto.randomUUID(), eventType: 'a.b', eventId: null };
  const event = (payload: unknown) => ({ ...ids, channels: [], payload, createdAt: new Date().toISOString() });
  const task = (payload: unknown) => ({ ...ids, endpointId: crypto.randomUUID(), payload, acceptedAt: new Date().toISOString(), attempt: 1, firstAttemptAt: null, trigger: 'scheduled' });

  it.each([
    ['event', eventValue, event],
    ['delivery task', deliveryTask, task],
  ] as const)('refuse an unstorable %s, naming where, and take what ingest takes', (_, contract, of) => {
    const parsed = contract.safeParse(of({ note: 'x\u0000', list: ['\ud800'], deep: nested(MAX_JSON_DEPTH) }));
    expect(parsed.error?.issues.map((issue) => [issue.path.slice(0, 3), issue.message])).toEqual([
      [['payload', 'note'], NUL_MESSAGE],
      [['payload', 'list', 0], UNPAIRED_SURROGATE_MESSAGE],
      [['payload', 'deep', 'a'], TOO_DEEP_MESSAGE],
    ]);
    expect(contract.safeParse(of({ deep: nested(MAX_JSON_DEPTH - 2), pair: '\ud83d\ude00' })).success).toBe(true);
  });

  it('refuses an operational event whose strings could not be stored', () => {
    const reported = (appId: string) => ({ id: crypto.randomUUID(), type: 'endpoint.created', data: { appId, endpointId: 'ep_1' } });
    expect(operationalEvent.safeParse(reported('app\u0000')).error?.issues.map((issue) => [issue.path, issue.message])).toEqual([[['data', 'appId'], NUL_MESSAGE]]);
    expect(operationalEvent.safeParse(reported('app_1')).success).toBe(true);
  });
});
