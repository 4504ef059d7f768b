import { CachedLookup } from '@hookline/batching';

/** A lookup over `table` with a clock the test moves, recording each query's keys. */
function lookup(table: Map<string, string>, options: { keep?: (value: string | null) => boolean } = {}) {
  let now = 1_000_000;
  const queries: string[][] = [];
  let failNext = false;
  const subject = new CachedLookup<string, string | null>(
    async (keys) => {
      queries.push([...keys]);
      if (failNext) {
        failNext = false;
        throw new Error('connection lost');
      }
      return keys.map((key) => table.get(key) ?? null);
    },
    { ttlMs: 2_000, now: () => now, ...options },
  );
  return { subject, queries, advance: (ms: number) => (now += ms), failNextQuery: () => (failNext = true) };
}

describe('CachedLookup', () => {
  it('answers from memory within its TTL and loads again after it', async () => {
    const table = new Map([['a', 'A1']]);
    const { subject, queries, advance } = lookup(table);
    expect(await subject.get('a')).toBe('A1');
    table.set('a', 'A2');
    advance(1_999);
    expect(await subject.get('a')).toBe('A1');
    advance(1);
    expect(await subject.get('a')).toBe('A2');
    expect(queries).toEqual([['a'], ['a']]);
  });

  it('shares one load among the callers of a key, and one query among keys', async () => {
    const { subject, queries } = lookup(new Map([['a', 'A'], ['b', 'B']]));
    expect(await Promise.all([subject.get('a'), subject.get('a'), subject.get('b'), subject.get('c')])).toEqual(['A', 'A', 'B', null]);
    expect(queries).toEqual([['a', 'b', 'c']]);
  });

  it('loads a fresh value when asked, and keeps it for the next caller', async () => {
    const table = new Map([['a', 'A1']]);
    const { subject, queries } = lookup(table);
    await subject.get('a');
    table.set('a', 'A2');
    expect(await subject.get('a', { fresh: true })).toBe('A2');
    expect(await subject.get('a')).toBe('A2');
    expect(queries).toHaveLength(2);
  });

  it('keeps no failed load: the next caller tries again', async () => {
    const { subject, queries, failNextQuery } = lookup(new Map([['a', 'A']]));
    failNextQuery();
    await expect(subject.get('a')).rejects.toThrow('connection lost');
    expect(await subject.get('a')).toBe('A');
    expect(queries).toHaveLength(2);
  });

  it('loads again what `keep` refuses (a miss, so a key created since is found at once)', async () => {
    const table = new Map<string, string>();
    const { subject, queries } = lookup(table, { keep: (value) => value !== null });
    expect(await subject.get('a')).toBeNull();
    table.set('a', 'A');
    expect(await subject.get('a')).toBe('A');
    table.set('a', 'A changed');
    expect(await subject.get('a')).toBe('A');
    expect(queries).toHaveLength(2);
  });

  it('forgets every value on clear, for a change this process made', async () => {
    const table = new Map([['a', 'A1']]);
    const { subject, queries } = lookup(table);
    await subject.get('a');
    table.set('a', 'A2');
    subject.clear();
    expect(await subject.get('a')).toBe('A2');
    expect(queries).toHaveLength(2);
  });
});
