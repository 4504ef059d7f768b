/**
 * Milliseconds a Retry-After header asks to wait: delay-seconds or an HTTP-date (RFC 9110
 * §10.2.3). A date in the past means "now" (0); a missing or unreadable value gives null.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Date.parse reads bare numbers such as "-5" as years; every HTTP-date form names a month.
  if (!/[a-z]/i.test(text)) return null;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
