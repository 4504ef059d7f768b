/**
 * The parameters of a batch statement that reads its rows from `unnest($1::type[], $2::type[], …)`:
 * one array per field, in the order the fields are named (the order of the statement's columns).
 */
export function unnestParameters<T, K extends keyof T>(rows: readonly T[], fields: readonly K[]): Array<Array<T[K]>> {
  return fields.map((field) => rows.map((row) => row[field]));
}
