import { errorMessage } from '@hookline/logging';
import { inSpan, SpanKind, SpanStatusCode } from '@hookline/telemetry';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import { Agent, type Dispatcher, request } from 'undici';
import { type AddressPolicy, BlockedAddressError } from './address-policy.js';
import { sendableHeaders } from './custom-headers.js';
import { type DnsLookup, guardedConnector } from './guarded-connector.js';
import { parseRetryAfter } from './retry-after.js';

export const USER_AGENT = 'Hookline-Webhooks/1.0';

export interface EgressClientOptions {
  policy: AddressPolicy;
  /** Bounds the whole delivery: connect, response headers and the body excerpt. */
  timeoutMs: number;
  maxResponseExcerptBytes?: number;
  /** Cap on concurrent sockets to one origin; unlimited when omitted. */
  connectionsPerOrigin?: number;
  /** Resolves endpoint host names at connect time; the system resolver when omitted. */
  dnsLookup?: DnsLookup;
}

export interface DeliveryRequest {
  url: string;
  headers?: Record<string, string>;
  body: string | Uint8Array;
}

export interface DeliveryOutcome {
  /** A 2xx status with no transport failure. */
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  /** The first bytes of the response body, decoded as UTF-8. */
  responseExcerpt: string;
  error: string | null;
  retryAfterMs: number | null;
}

type ResponseBody = Dispatcher.ResponseData['body'];

/**
 * URLs already judged by the policy, at most this many: an endpoint's URL is checked once, not
 * on every delivery (parsing it and its IP literal was 5% of delivery's CPU, docs/performance.md).
 */
const CHECKED_URLS = 10_000;

/** Delivers webhooks over HTTP: failures come back as outcomes, never as exceptions. */
export class EgressClient {
  private readonly policy: AddressPolicy;
  private readonly timeoutMs: number;
  private readonly maxResponseExcerptBytes: number;
  private readonly agent: Agent;
  /** The policy's verdict on each URL string, which depends on nothing else: only URLs it allowed. */
  private readonly checkedUrls = new Map<string, URL>();

  constructor(options: EgressClientOptions) {
    this.policy = options.policy;
    this.timeoutMs = options.timeoutMs;
    this.maxResponseExcerptBytes = options.maxResponseExcerptBytes ?? 4096;
    // One keep-alive pool per origin. undici follows no redirects unless given its redirect
    // interceptor, so a 3xx is just a non-2xx outcome.
    this.agent = new Agent({
      connect: guardedConnector(options.policy, options.timeoutMs, options.dnsLookup),
      connections: options.connectionsPerOrigin ?? null,
      // The overall abort below already bounds each delivery; these stop sockets lingering.
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** One delivery, in an HTTP client span. */
  post(delivery: DeliveryRequest): Promise<DeliveryOutcome> {
    return inSpan('POST', { kind: SpanKind.CLIENT, attributes: { [ATTR_HTTP_REQUEST_METHOD]: 'POST', [ATTR_URL_FULL]: delivery.url } }, async (span) => {
      const outcome = await this.send(delivery);
      if (outcome.statusCode !== null) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.statusCode);
      if (!outcome.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error ?? `HTTP ${outcome.statusCode}` });
      return outcome;
    });
  }

  private async send(delivery: DeliveryRequest): Promise<DeliveryOutcome> {
    const started = performance.now();
    const signal = AbortSignal.timeout(this.timeoutMs);
    let statusCode: number | null = null;
    let retryAfterMs: number | null = null;
    let responseExcerpt = '';
    let error: string | null = null;
    try {
      const url = this.checkedUrl(delivery.url);
      const response = await request(url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: deliveryHeaders(delivery.headers),
        body: delivery.body,
        signal,
      });
      statusCode = response.statusCode;
      retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      responseExcerpt = await readExcerpt(response.body, this.maxResponseExcerptBytes);
    } catch (failure) {
      error = describeFailure(failure, signal.aborted, this.timeoutMs);
    }
    return {
      ok: error === null && statusCode !== null && statusCode >= 200 && statusCode < 300,
      statusCode,
      durationMs: Math.round(performance.now() - started),
      responseExcerpt,
      error,
      retryAfterMs,
    };
  }

  /** The parsed URL once the policy allowed it (host names are judged again at each connect). */
  private checkedUrl(url: string): URL {
    const known = this.checkedUrls.get(url);
    if (known) return known;
    const parsed = this.policy.checkUrl(url);
    if (this.checkedUrls.size >= CHECKED_URLS) this.checkedUrls.clear();
    this.checkedUrls.set(url, parsed);
    return parsed;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function deliveryHeaders(headers: Record<string, string> = {}): Record<string, string> {
  // Header names are case-insensitive: lower-case the caller's so its content-type replaces
  // the default instead of being sent twice. Framing, connection and malformed headers never go.
  const given = Object.fromEntries(Object.entries(sendableHeaders(headers)).map(([name, value]) => [name.toLowerCase(), value]));
  return { 'content-type': 'application/json', ...given, 'user-agent': USER_AGENT };
}

async function readExcerpt(body: ResponseBody, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Stopping at the limit must not destroy the stream (and with it a keep-alive socket):
  // dump() then drains a short remainder without keeping it, or closes the socket on a long one.
  for await (const chunk of body.iterator({ destroyOnReturn: false })) {
    const bytes = chunk as Buffer;
    chunks.push(bytes);
    size += bytes.length;
    if (size >= limit) break;
  }
  await body.dump();
  // stream: true holds back a character cut in two at the limit rather than showing U+FFFD.
  return new TextDecoder().decode(Buffer.concat(chunks, Math.min(size, limit)), { stream: true });
}

function describeFailure(failure: unknown, aborted: boolean, timeoutMs: number): string {
  const timeout = `timeout after ${timeoutMs} ms`;
  if (aborted) return timeout;
  if (failure instanceof BlockedAddressError) return `blocked: ${failure.message}`;
  const message = errorMessage(failure);
  switch ((failure as NodeJS.ErrnoException | null)?.code) {
    case 'ECONNREFUSED':
      return `connection refused: ${message}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DNS lookup failed: ${message}`;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return `connection reset: ${message}`;
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return timeout;
    case 'ERR_INVALID_URL':
      return `invalid URL: ${message}`;
    default:
      return message;
  }
}
