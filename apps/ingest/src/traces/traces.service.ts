import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { type FactoryProvider, Inject, Injectable } from '@nestjs/common';
import { ApplicationsService } from '../applications/applications.service.js';
import { AttemptsRepository } from '../attempts/attempts.repository.js';
import type { Principal } from '../auth/principal.js';
import { MessageService } from '../messages/message.service.js';
import { JaegerQuery, type StoredSpan, TraceStoreError } from './jaeger-query.js';
import type { MessageTraceOut, MessageTracesOut, TraceSpanOut } from './traces.schemas.js';

/** Where the spans of a trace are read from; null when HOOKLINE_TRACE_QUERY_URL is not set. */
export interface TraceStore {
  spans(traceId: string): Promise<StoredSpan[] | null>;
}
export const TRACE_STORE = Symbol('TraceStore');

/** The spans on one time line: offsets from the trace's first span, in start order. */
export function placeOnTimeline(spans: readonly StoredSpan[]): TraceSpanOut[] {
  const origin = Math.min(...spans.map((span) => span.startMicros));
  return [...spans]
    .sort((a, b) => a.startMicros - b.startMicros)
    .map((span) => ({
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      service: span.service,
      name: span.name,
      startTime: new Date(span.startMicros / 1_000).toISOString(),
      offsetMs: (span.startMicros - origin) / 1_000,
      durationMs: span.durationMicros / 1_000,
      error: span.error,
    }));
}

/** A message's traces (ingest, fanout, every delivery attempt and retry), for the console. */
@Injectable()
export class TracesService {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly messages: MessageService,
    private readonly attempts: AttemptsRepository,
    @Inject(TRACE_STORE) private readonly store: TraceStore | null,
    @Inject(HOOKLINE_CONFIG) private readonly config: HooklineConfig,
  ) {}

  async ofMessage(principal: Principal, appId: string, msgId: string): Promise<MessageTracesOut> {
    const message = await this.messages.findIn(await this.applications.resolve(principal, appId), msgId);
    const traceIds = new Set([message.traceId, ...(await this.attempts.traceIdsOf(message.id))].filter((id): id is string => id !== null));
    return { data: await Promise.all([...traceIds].map((traceId) => this.trace(traceId))) };
  }

  private async trace(traceId: string): Promise<MessageTraceOut> {
    const template = this.config.console.traceLink;
    const link = template === null ? null : template.replaceAll('{traceId}', traceId);
    if (this.store === null) return { traceId, link, spans: null, detail: 'no trace store is set (HOOKLINE_TRACE_QUERY_URL): only the link is shown' };
    try {
      const spans = await this.store.spans(traceId);
      if (spans === null) return { traceId, link, spans: null, detail: 'the trace store has no spans of this trace (not exported yet, sampled out, or expired)' };
      return { traceId, link, spans: placeOnTimeline(spans), detail: null };
    } catch (error) {
      if (error instanceof TraceStoreError) return { traceId, link, spans: null, detail: error.message };
      throw error;
    }
  }
}

/** The trace store HOOKLINE_TRACE_QUERY_URL names, or none. */
export const traceStoreProvider: FactoryProvider<TraceStore | null> = {
  provide: TRACE_STORE,
  inject: [HOOKLINE_CONFIG],
  useFactory: (config: HooklineConfig) => (config.console.traceQueryUrl === null ? null : new JaegerQuery(config.console.traceQueryUrl)),
};
