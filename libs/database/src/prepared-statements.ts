/**
 * Statements a service runs many times a second, by their text: each runs as a named prepared
 * statement, parsed once per connection, so PostgreSQL can keep its plan. Planned afresh on each
 * call, the hot inserts on the partitioned tables spent a third of their time in the planner at
 * 1,000 events/s (docs/performance.md, "Planning"). Only fixed texts belong here: each one holds
 * a prepared statement on every connection of the pool.
 */
const namesByText = new Map<string, string>();

/** Declares a hot statement; returns its text, to be run with `query` as usual. */
export function preparedStatement(name: string, text: string): string {
  for (const [known, knownName] of namesByText) {
    if (knownName === name && known !== text) throw new Error(`prepared statement "${name}" is declared twice with different texts`);
  }
  namesByText.set(text, name);
  return text;
}

/** The prepared statement's name a query text runs under, if it was declared. */
export function preparedStatementName(text: string): string | undefined {
  return namesByText.get(text);
}
