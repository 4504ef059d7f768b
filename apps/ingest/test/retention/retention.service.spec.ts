import { partitionPlan, rangesToCreate } from '../../src/retention/retention.service.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

describe('partitionPlan', () => {
  it('makes daily ranges for the default 90 days, a quarter of a shorter retention, and keeps three ranges (three sweeps at least) ahead', () => {
    expect(partitionPlan(90 * DAY)).toEqual({ widthMs: DAY, aheadMs: 3 * DAY });
    expect(partitionPlan(2 * DAY)).toEqual({ widthMs: DAY / 2, aheadMs: 1.5 * DAY });
    expect(partitionPlan(2 * MINUTE)).toEqual({ widthMs: 30_000, aheadMs: 3 * MINUTE });
    // Whole seconds, one at least: partitions are named to the second.
    expect(partitionPlan(4_500).widthMs).toBe(1_000);
    expect(partitionPlan(10 * MINUTE + 600).widthMs).toBe(150_000);
  });
});

describe('rangesToCreate', () => {
  const plan = { widthMs: DAY, aheadMs: 3 * DAY };
  const at = (day: number) => new Date(day * DAY);

  it('continues from the end of the last range until now plus the horizon is covered', () => {
    const now = 10 * DAY + 5_000;
    expect(rangesToCreate([{ to: at(11) }, { to: at(12) }], now, plan)).toEqual([
      { from: at(12), to: at(13) },
      { from: at(13), to: at(14) },
    ]);
    expect(rangesToCreate([{ to: at(14) }], now, plan)).toEqual([]);
  });

  it('leaves a gap to the DEFAULT partition rather than fill the past when the sweep has not run for long', () => {
    const now = 10 * DAY + 5_000;
    // The last range ended five days ago: the next one starts at the next boundary after now.
    expect(rangesToCreate([{ to: at(5) }], now, plan)).toEqual([
      { from: at(11), to: at(12) },
      { from: at(12), to: at(13) },
      { from: at(13), to: at(14) },
    ]);
    expect(rangesToCreate([], now, plan)[0]).toEqual({ from: at(11), to: at(12) });
  });

  it('ends the first range after an unaligned end (the migration\'s last, or another width) on the next boundary', () => {
    const now = 10 * DAY + 60_000;
    const ranges = rangesToCreate([{ to: new Date(10 * DAY + 120_000) }], now, plan);
    expect(ranges[0]).toEqual({ from: new Date(10 * DAY + 120_000), to: at(11) });
    expect(ranges.at(-1)!.to).toEqual(at(14));
    // Not a range shorter than a second.
    expect(rangesToCreate([{ to: new Date(11 * DAY - 500) }], 11 * DAY - 600, plan)[0]).toEqual({ from: new Date(11 * DAY - 500), to: at(12) });
  });

  it('takes the new width from the last end when the retention changed', () => {
    const now = 10 * DAY;
    const ranges = rangesToCreate([{ to: at(10) }], now, { widthMs: DAY / 2, aheadMs: DAY });
    expect(ranges.map((range) => range.from.getTime() / DAY)).toEqual([10, 10.5]);
  });
});
