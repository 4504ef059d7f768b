/**
 * What was thrown, as an Error: a rejection or a callback can carry any value, and what keeps or
 * reports it (a health check's last error, a batch's failed row) wants a message and a stack.
 */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/** What was thrown, as one line of text for a log record, a health detail or an error's message. */
export function errorMessage(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}
