import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import type { MessageTrace, TraceSpan } from '../shared/api';
import { useApi, useAppId } from '../shared/context';
import { Badge, DataTable, Empty, PageTitle, QueryStatus, Time } from '../shared/ui';
import { placeSpans } from './trace-layout';

/** A message's traces: each one's link to the operator's trace viewer and its spans on one time line. */
export function TracePage({ msgId }: { msgId: string }) {
  const api = useApi();
  const appId = useAppId();
  const traces = useQuery({ queryKey: ['app', appId, 'msg', msgId, 'traces'], queryFn: () => api.messages.traces(appId, msgId) });
  return (
    <section>
      <p>
        <Link href={`/messages/${msgId}`}>← Message</Link>
      </p>
      <PageTitle title="Traces">
        Traces of message <code>{msgId}</code>
      </PageTitle>
      <div className="actions">
        {/* Spans reach the trace store a few seconds after they end. */}
        <button type="button" className="secondary" onClick={() => void traces.refetch()} disabled={traces.isFetching}>
          {traces.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <QueryStatus
        query={traces}
        what="the traces"
        count={traces.data?.data.length}
        empty="No trace was recorded for this message: the services export no spans (OTEL_EXPORTER_OTLP_ENDPOINT is not set)."
      />
      {traces.data?.data.map((trace) => <TraceView key={trace.traceId} trace={trace} />)}
    </section>
  );
}

function TraceView({ trace }: { trace: MessageTrace }) {
  const label = `Trace ${trace.traceId}`;
  return (
    <section aria-label={label} className="panel">
      <h2>
        Trace <code>{trace.traceId}</code>
      </h2>
      {trace.link ? (
        <p>
          <a href={trace.link} target="_blank" rel="noopener noreferrer">
            Open in the trace viewer
          </a>
        </p>
      ) : null}
      {trace.spans ? <SpansTable spans={trace.spans} label={`Spans of ${label}`} /> : <Empty>{trace.detail}</Empty>}
    </section>
  );
}

function SpansTable({ spans, label }: { spans: TraceSpan[]; label: string }) {
  return (
    <DataTable
      label={label}
      hiddenCaption
      className="spans"
      rows={placeSpans(spans)}
      rowKey={({ span }) => span.spanId}
      columns={[
        { header: 'Service', cell: ({ span }) => span.service },
        {
          header: 'Span',
          cell: ({ span, depth }) => (
            <>
              {/* Indented by its depth in the trace: the span it runs in is above it. */}
              <span className="span-name" style={{ paddingInlineStart: `${depth}rem` }}>
                {span.name}
              </span>{' '}
              {span.error ? <Badge tone="bad">Error</Badge> : null}
            </>
          ),
        },
        {
          header: 'Start',
          cell: ({ span }) => (
            <>
              <Time value={span.startTime} /> <span className="muted">+{formatMs(span.offsetMs)}</span>
            </>
          ),
        },
        { header: 'Duration', cell: ({ span }) => formatMs(span.durationMs) },
        {
          header: 'Time line',
          className: 'span-timeline',
          cell: ({ span, left, width }) => <span className={span.error ? 'span-bar span-bar-error' : 'span-bar'} style={{ marginInlineStart: `${left}%`, width: `${width}%` }} />,
        },
      ]}
    />
  );
}

const formatMs = (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms).toLocaleString()} ms`);
