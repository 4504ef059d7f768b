import { KeyedLimiter, PartitionProgress } from '@hookline/kafka';

describe('PartitionProgress', () => {
  it('commits only up to the lowest unfinished offset', () => {
    const progress = new PartitionProgress();
    expect(progress.committable()).toBeNull();
    for (const offset of [10n, 11n, 12n, 15n]) progress.add(offset);
    progress.finish(11n);
    progress.finish(15n);
    expect(progress.committable()).toBe(10n);
    progress.finish(10n);
    expect(progress.committable()).toBe(12n);
    expect(progress.pending).toBe(1);
    progress.finish(12n);
    expect(progress.committable()).toBe(16n);
    expect(progress.pending).toBe(0);
  });

  it('stays correct across compaction of a long finished prefix', () => {
    const progress = new PartitionProgress();
    for (let offset = 0n; offset < 5000n; offset++) progress.add(offset);
    for (let offset = 1n; offset < 5000n; offset++) progress.finish(offset);
    expect(progress.committable()).toBe(0n);
    progress.finish(0n);
    expect(progress.committable()).toBe(5000n);
  });
});

describe('KeyedLimiter', () => {
  it('caps concurrency per key but not across keys', async () => {
    const limiter = new KeyedLimiter(2);
    const active = new Map<string, number>();
    let peakSlow = 0;
    const releases: Array<() => void> = [];
    const track = (key: string) =>
      limiter.run(key, async () => {
        active.set(key, (active.get(key) ?? 0) + 1);
        if (key === 'slow') peakSlow = Math.max(peakSlow, active.get(key)!);
        if (key === 'slow') await new Promise<void>((resolve) => releases.push(resolve));
        active.set(key, active.get(key)! - 1);
      });
    const slow = [1, 2, 3, 4].map(() => track('slow'));
    const fast = await Promise.all([1, 2, 3, 4, 5].map(() => track('fast')));
    expect(fast).toHaveLength(5); // every fast task finished while slow ones were held
    expect(releases).toHaveLength(2);
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(slow);
    expect(peakSlow).toBe(2);
  });
});
