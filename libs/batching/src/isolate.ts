import { asError } from '@hookline/logging';

/**
 * Runs a batch statement so that rows it cannot take fail alone: when the statement fails for a
 * reason the rows are to blame (`isRowFault`, such as PostgreSQL refusing a value), the batch is
 * split in two and each half run on its own, and so on down to the rows at fault, which get the
 * error as their result; every other row is written. An error that is not the rows' fault (the
 * database is unreachable or shutting down) fails the whole batch, to be retried as a whole.
 * A batch with one bad row costs about 2·log2(n) statements more, and only when a row is bad.
 */
export async function isolateRowFaults<In, Out>(
  rows: readonly In[],
  run: (rows: readonly In[]) => Promise<readonly Out[]>,
  isRowFault: (error: unknown) => boolean,
): Promise<Array<Out | Error>> {
  if (rows.length === 0) return [];
  try {
    return [...(await run(rows))];
  } catch (error) {
    if (!isRowFault(error)) throw error;
    if (rows.length === 1) return [asError(error)];
    const middle = Math.ceil(rows.length / 2);
    const first = await isolateRowFaults(rows.slice(0, middle), run, isRowFault);
    return [...first, ...(await isolateRowFaults(rows.slice(middle), run, isRowFault))];
  }
}
