/** The SQLSTATE of an error from PostgreSQL, whether from the driver or wrapped by TypeORM. */
export function sqlState(error: unknown): string | undefined {
  const own = (error as { code?: unknown } | null)?.code;
  const driver = (error as { driverError?: { code?: unknown } } | null)?.driverError?.code;
  const code = typeof driver === 'string' ? driver : own;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Whether PostgreSQL refused a statement for the data it was given: SQLSTATE class 22 (data
 * exception: text it cannot encode, JSON it cannot parse, a value out of range), 23 (integrity
 * constraint violation) or 54 (program limit exceeded: JSON nested too deep). The same rows would
 * fail again, so they are isolated (isolateRowFaults) rather than retried. Anything else, a
 * connection refused or lost (08), too many connections or no disk (53), a shutdown (57), a
 * serialization failure (40), or no SQLSTATE at all, is the database's state, not the rows'.
 */
export function isDataError(error: unknown): boolean {
  return /^(?:22|23|54)/.test(sqlState(error) ?? '');
}
