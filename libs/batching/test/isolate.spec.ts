import { isolateRowFaults } from '@hookline/batching';

/** A fake statement over numbered rows: it fails the whole call if any row in it is bad. */
function statement(bad: Set<number>, error: (row: number) => Error) {
  const calls: number[][] = [];
  const run = async (rows: readonly number[]) => {
    calls.push([...rows]);
    const poison = rows.find((row) => bad.has(row));
    if (poison !== undefined) throw error(poison);
    return rows.map((row) => row * 10);
  };
  return { run, calls };
}

const rowFault = (error: unknown) => (error as { code?: string }).code === '22P02';
const dataError = (row: number) => Object.assign(new Error(`row ${row} refused`), { code: '22P02' });

describe('isolateRowFaults', () => {
  it('runs a good batch once', async () => {
    const { run, calls } = statement(new Set(), dataError);
    expect(await isolateRowFaults([1, 2, 3], run, rowFault)).toEqual([10, 20, 30]);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  it('fails only the rows at fault and writes every other row, in a few statements', async () => {
    const rows = Array.from({ length: 500 }, (_, index) => index);
    const { run, calls } = statement(new Set([3, 250]), dataError);
    const results = await isolateRowFaults(rows, run, rowFault);
    expect(results.filter((result) => result instanceof Error).map((error) => (error as Error).message)).toEqual(['row 3 refused', 'row 250 refused']);
    expect(results.filter((result) => !(result instanceof Error))).toEqual(rows.filter((row) => row !== 3 && row !== 250).map((row) => row * 10));
    // Each good row is written exactly once.
    const written = calls.filter((call) => !call.includes(3) && !call.includes(250)).flat();
    expect(written.sort((a, b) => a - b)).toEqual(rows.filter((row) => row !== 3 && row !== 250));
    expect(calls.length).toBeLessThan(2 * 2 * Math.log2(500) + 2);
  });

  it('fails the whole batch, unsplit, on an error that is not the rows\' fault', async () => {
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const { run, calls } = statement(new Set([1]), () => shutdown);
    await expect(isolateRowFaults([0, 1, 2, 3], run, rowFault)).rejects.toBe(shutdown);
    expect(calls).toEqual([[0, 1, 2, 3]]);
  });
});
