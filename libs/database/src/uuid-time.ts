/**
 * The smallest UUIDv7 of a millisecond: every message id (UUIDv7) created at `at` or later is at
 * least this. The same as the SQL function hookline_uuid_floor (migration PartitionedMessages),
 * for statements that pass a bound as a parameter: PostgreSQL prunes partitions by a parameter
 * when it plans, by a function of now() only when it runs, after planning every partition.
 */
export function uuidFloor(at: Date): string {
  const hex = Math.floor(at.getTime()).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/**
 * The lowest and highest of a batch's ids, to bound a statement's search of a partitioned table
 * to the partitions the batch falls in. PostgreSQL orders UUIDs as their lower-case text.
 */
export function idBounds(ids: readonly string[]): [string, string] {
  const sorted = ids.map((id) => id.toLowerCase()).sort();
  return [sorted[0]!, sorted.at(-1)!];
}
