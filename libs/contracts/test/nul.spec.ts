import { ingestKey, ingestValue, pathsWithNul } from '@hookline/contracts';

describe('pathsWithNul', () => {
  it('finds U+0000 in strings and keys at any depth, in document order', () => {
    const value = { a: 'fine', b: 'x\u0000', c: [{ 'k\u0000': 'also\u0000' }, 'ok', '\u0000'], d: { e: { f: 1, g: null, h: true } } };
    expect(pathsWithNul(value)).toEqual([['b'], ['c', 0, 'k\u0000'], ['c', 0, 'k\u0000'], ['c', 2]]);
    expect(pathsWithNul('\u0000')).toEqual([[]]);
    expect(pathsWithNul({ a: ['b', { c: 'd' }], n: 1.5 })).toEqual([]);
  });

  it('walks a payload nested as deep as 256 KiB allows (no recursion to overflow), and reports at most the first 100', () => {
    let deep: unknown = 'bottom\u0000';
    for (let n = 0; n < 130_000; n++) deep = [deep];
    expect(pathsWithNul(deep)[0]).toHaveLength(130_000);
    let everywhere: unknown = '\u0000';
    for (let n = 0; n < 40_000; n++) everywhere = ['\u0000', everywhere];
    expect(pathsWithNul(everywhere)).toHaveLength(100);
  });
});

describe('the ingest topic contract', () => {
  it('refuses U+0000 in the key and anywhere in the value, naming where', () => {
    expect(ingestKey.safeParse('app\u0000').success).toBe(false);
    const parsed = ingestValue.safeParse({ eventType: 'a.b', payload: { note: 'x\u0000', list: ['\u0000'] } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => [issue.path, issue.message])).toEqual([
      [['payload', 'note'], 'must not contain the NUL character (U+0000)'],
      [['payload', 'list', 0], 'must not contain the NUL character (U+0000)'],
    ]);
  });
});
