/** A header name as RFC 9110 defines it: a token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/**
 * A header value Hookline sends as given: visible ASCII, with spaces and tabs inside but not at
 * either end (RFC 9110's field-value without obs-text, which receivers decode each their own way).
 * No CR or LF, so no header can be split into two, or into a second request. At most 4,096
 * characters, a bound written in the pattern so that the API's document says it in one rule (a
 * pattern and a separate maxLength make schemathesis' string generation crawl).
 */
const VALUE = /^(?:[\x21-\x7e](?:[\t\x20-\x7e]{0,4094}[\x21-\x7e])?)?$/;
/** Longest header value accepted, in characters: the bound of VALUE. */
export const MAX_HEADER_VALUE_LENGTH = 4_096;
/** Most custom headers an endpoint may have: with the value bound, at most about 200 KiB a request carries for them. */
export const MAX_CUSTOM_HEADERS = 50;

/**
 * Headers an endpoint may not set: those that frame the message or manage the connection
 * (RFC 9110 section 7.6.1 and RFC 9112; the client computes them, and a wrong one breaks or
 * smuggles the request), `Host` (the URL names it), `Expect`, and every `Proxy-*`.
 */
const FORBIDDEN = new Set(['connection', 'content-length', 'expect', 'host', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** A pattern matching the name in any case. */
const anyCase = (name: string) => [...name].map((c) => (/[a-z]/.test(c) ? `[${c.toUpperCase()}${c}]` : c)).join('');

/** The rules above as JSON Schema patterns (ECMA-262, no flags), for the API's document. */
export const HEADER_PATTERNS = {
  name: TOKEN.source,
  value: VALUE.source,
  forbiddenName: `^(?:${[...FORBIDDEN].map(anyCase).join('|')}|${anyCase('proxy-')}.*)$`,
};

/** Why an endpoint's custom header cannot be sent, or null if it can. */
export function customHeaderProblem(name: string, value: string): string | null {
  if (!TOKEN.test(name)) return 'a header name is a token of letters, digits and !#$%&\'*+-.^_`|~ only';
  const lower = name.toLowerCase();
  if (FORBIDDEN.has(lower) || lower.startsWith('proxy-')) return `"${name}" is set by the HTTP client or the connection, never by an endpoint`;
  if (!VALUE.test(value)) return `a header value is at most ${MAX_HEADER_VALUE_LENGTH} characters of visible ASCII, with spaces or tabs only between other characters (no CR, LF or other control characters, no non-ASCII)`;
  return null;
}

/**
 * The custom headers that may be sent: the API refuses the others (endpoints.schemas.ts), and
 * this drops any that an endpoint stored before that rule still holds.
 */
export function sendableHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => customHeaderProblem(name, value) === null));
}
