import type { Application, Message } from '@hookline/database';
import type { ApplicationsService } from '../../src/applications/applications.service.js';
import type { AttemptsRepository } from '../../src/attempts/attempts.repository.js';
import type { Principal } from '../../src/auth/principal.js';
import type { MessageService } from '../../src/messages/message.service.js';
import { type StoredSpan, TraceStoreError } from '../../src/traces/jaeger-query.js';
import { type TraceStore, TracesService } from '../../src/traces/traces.service.js';
import { ingestConfig } from '../fakes.js';

const admin: Principal = { kind: 'admin' };
const application = { id: 'app-1' } as Application;
const MESSAGE_TRACE = 'a'.repeat(32);
const RESEND_TRACE = 'b'.repeat(32);

/** A span starting `at` ms after 2026-01-01T00:00:00Z. */
const span = (spanId: string, parentSpanId: string | null, at: number, ms: number, service = 'hookline-delivery', error = false): StoredSpan => ({
  spanId,
  parentSpanId,
  service,
  name: `span ${spanId}`,
  startMicros: (Date.UTC(2026, 0, 1) + at) * 1_000,
  durationMicros: ms * 1_000,
  error,
});

function service(options: { store: TraceStore | null; messageTrace?: string | null; attemptTraces?: string[]; link?: string }) {
  const applications = { resolve: async (_: Principal, appId: string) => (appId === 'app-1' ? application : Promise.reject(new Error('no such app'))) } as unknown as ApplicationsService;
  const messages = { findIn: async () => ({ id: 'msg-1', traceId: options.messageTrace === undefined ? MESSAGE_TRACE : options.messageTrace }) as Message } as unknown as MessageService;
  const attempts = { traceIdsOf: async () => options.attemptTraces ?? [MESSAGE_TRACE] } as unknown as AttemptsRepository;
  const config = ingestConfig(options.link ? { HOOKLINE_TRACE_LINK: options.link } : {});
  return new TracesService(applications, messages, attempts, options.store, config);
}

describe('TracesService', () => {
  it("gives the message's trace first, then each resend's, once each, with the link filled in", async () => {
    const asked: string[] = [];
    const store: TraceStore = { spans: async (traceId) => (asked.push(traceId), [span('root', null, 0, 5, 'hookline-ingest')]) };
    const traces = await service({ store, attemptTraces: [MESSAGE_TRACE, RESEND_TRACE], link: 'https://grafana.example.com/explore?trace={traceId}&id={traceId}' }).ofMessage(admin, 'app-1', 'msg-1');
    expect(traces.data.map((trace) => [trace.traceId, trace.link])).toEqual([
      [MESSAGE_TRACE, `https://grafana.example.com/explore?trace=${MESSAGE_TRACE}&id=${MESSAGE_TRACE}`],
      [RESEND_TRACE, `https://grafana.example.com/explore?trace=${RESEND_TRACE}&id=${RESEND_TRACE}`],
    ]);
    expect(asked.sort()).toEqual([MESSAGE_TRACE, RESEND_TRACE]);
  });

  it('places the spans on the trace’s time line, in start order, from its first span', async () => {
    const store: TraceStore = { spans: async () => [span('attempt', 'process', 40, 2.5, 'hookline-delivery', true), span('root', null, 0, 10, 'hookline-ingest'), span('process', 'root', 12, 30)] };
    const [trace] = (await service({ store }).ofMessage(admin, 'app-1', 'msg-1')).data;
    expect(trace).toEqual({
      traceId: MESSAGE_TRACE,
      link: null,
      detail: null,
      spans: [
        { spanId: 'root', parentSpanId: null, service: 'hookline-ingest', name: 'span root', startTime: '2026-01-01T00:00:00.000Z', offsetMs: 0, durationMs: 10, error: false },
        { spanId: 'process', parentSpanId: 'root', service: 'hookline-delivery', name: 'span process', startTime: '2026-01-01T00:00:00.012Z', offsetMs: 12, durationMs: 30, error: false },
        { spanId: 'attempt', parentSpanId: 'process', service: 'hookline-delivery', name: 'span attempt', startTime: '2026-01-01T00:00:00.040Z', offsetMs: 40, durationMs: 2.5, error: true },
      ],
    });
  });

  it('says why there are no spans: no store set, none of this trace, or a store that failed', async () => {
    const detailOf = async (store: TraceStore | null) => (await service({ store }).ofMessage(admin, 'app-1', 'msg-1')).data[0]!;
    expect(await detailOf(null)).toEqual({ traceId: MESSAGE_TRACE, link: null, spans: null, detail: expect.stringContaining('HOOKLINE_TRACE_QUERY_URL') });
    expect((await detailOf({ spans: async () => null })).detail).toMatch(/has no spans of this trace/);
    expect((await detailOf({ spans: async () => Promise.reject(new TraceStoreError('Jaeger at http://jaeger:16686 answered 503')) })).detail).toBe('Jaeger at http://jaeger:16686 answered 503');
  });

  it('lets an unexpected failure through rather than hiding it as a detail', async () => {
    await expect(service({ store: { spans: async () => Promise.reject(new TypeError('a bug')) } }).ofMessage(admin, 'app-1', 'msg-1')).rejects.toThrow('a bug');
  });

  it('answers no traces for a message that came in without one (tracing off)', async () => {
    expect(await service({ store: null, messageTrace: null, attemptTraces: [] }).ofMessage(admin, 'app-1', 'msg-1')).toEqual({ data: [] });
  });

  it('reaches the message only through the caller’s application', async () => {
    await expect(service({ store: null }).ofMessage(admin, 'app-2', 'msg-1')).rejects.toThrow('no such app');
  });
});
