/** What was thrown, as one line of text to show: a rejection can carry any value, not only an Error. */
export function errorMessage(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}
