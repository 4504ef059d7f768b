import { Coalescer } from '@hookline/batching';

/** A batch function that records each batch and finishes only when told to. */
function controlledBatches<T>() {
  const batches: T[][] = [];
  const release: Array<() => void> = [];
  const run = (items: readonly T[]) => {
    batches.push([...items]);
    return new Promise<void>((resolve) => release.push(resolve));
  };
  return { batches, release, run };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('Coalescer', () => {
  it('gathers the calls of one turn into one batch and gives each caller its own result', async () => {
    const seen: number[][] = [];
    const doubler = new Coalescer<number, number>(
      async (items) => {
        seen.push([...items]);
        return items.map((item) => item * 2);
      },
      { maxBatchSize: 100, maxConcurrentBatches: 1 },
    );

    const results = await Promise.all([1, 2, 3].map((item) => doubler.add(item)));

    expect(results).toEqual([2, 4, 6]);
    expect(seen).toEqual([[1, 2, 3]]);
  });

  it('rejects only the caller whose result is an Error', async () => {
    const evenOnly = new Coalescer<number, number>(async (items) => items.map((item) => (item % 2 === 0 ? item : new Error(`${item} is odd`))), {
      maxBatchSize: 10,
      maxConcurrentBatches: 1,
    });

    const outcomes = await Promise.allSettled([2, 3, 4].map((item) => evenOnly.add(item)));

    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 2 },
      { status: 'rejected', reason: new Error('3 is odd') },
      { status: 'fulfilled', value: 4 },
    ]);
  });

  it('splits a turn larger than maxBatchSize', async () => {
    const seen: number[][] = [];
    const coalescer = new Coalescer<number>(async (items) => void seen.push([...items]), { maxBatchSize: 2, maxConcurrentBatches: 4 });

    await Promise.all([1, 2, 3, 4, 5].map((item) => coalescer.add(item)));

    expect(seen).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('gathers while the running batch is busy, and sends the rest as one batch when it finishes', async () => {
    const { batches, release, run } = controlledBatches<string>();
    const coalescer = new Coalescer<string>(run, { maxBatchSize: 100, maxConcurrentBatches: 1 });

    const first = coalescer.add('a');
    await turn();
    const later = ['b', 'c', 'd'].map((item) => coalescer.add(item));
    await turn();
    await turn();
    expect(batches).toEqual([['a']]);

    release.shift()!();
    await first;
    await turn();
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
    release.shift()!();
    await Promise.all(later);
  });

  it('rejects every caller of a failed batch, and goes on with the next', async () => {
    let calls = 0;
    const coalescer = new Coalescer<number>(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('broker unavailable');
      },
      { maxBatchSize: 10, maxConcurrentBatches: 1 },
    );

    const failed = await Promise.allSettled([coalescer.add(1), coalescer.add(2)]);
    expect(failed.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason.message).toBe('broker unavailable');

    await expect(coalescer.add(3)).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});

describe('Coalescer with lingerMs', () => {
  it('gathers the calls of several turns within the linger into one batch', async () => {
    const seen: number[][] = [];
    const coalescer = new Coalescer<number>(async (items) => void seen.push([...items]), { maxBatchSize: 100, maxConcurrentBatches: 1, lingerMs: 30 });

    const first = coalescer.add(1);
    await turn();
    const second = coalescer.add(2);
    await Promise.all([first, second]);

    expect(seen).toEqual([[1, 2]]);
  });
});
