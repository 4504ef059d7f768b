import { Link } from 'wouter';
import type { Attempt } from '../api';
import { Badge, DataTable, Empty, Time } from '../ui';
import { TraceId } from './trace-id';

/** How many characters of a response a table cell shows before "Show all". */
const EXCERPT = 120;

/** What the endpoint answered (or the error), as text; long ones fold. */
function ResponseText({ text }: { text: string }) {
  if (text === '') return <span className="muted">(empty)</span>;
  if (text.length <= EXCERPT) return <code className="response">{text}</code>;
  return (
    <details>
      <summary>
        <code className="response">{text.slice(0, EXCERPT)}…</code>
      </summary>
      <pre className="code">{text}</pre>
    </details>
  );
}

/** Attempts, newest first: when, the outcome, the status code, how long it took, what came back and what triggered it. */
export function AttemptsTable({ attempts, label, showUrl = false, showMessage = false }: { attempts: Attempt[]; label: string; showUrl?: boolean; showMessage?: boolean }) {
  if (attempts.length === 0) return <Empty>No attempts yet.</Empty>;
  return (
    <DataTable
      label={label}
      hiddenCaption
      rows={attempts}
      rowKey={(attempt) => attempt.id}
      columns={[
        { header: 'Time', cell: (attempt) => <Time value={attempt.timestamp} /> },
        showMessage && {
          header: 'Message',
          cell: (attempt) => (
            <Link href={`/messages/${attempt.msgId}`} aria-label={`Message ${attempt.msgId}`}>
              <code>{attempt.msgId.slice(0, 8)}…</code>
            </Link>
          ),
        },
        { header: 'Result', cell: (attempt) => (attempt.status === 0 ? <Badge tone="ok">Succeeded</Badge> : <Badge tone="bad">Failed</Badge>) },
        { header: 'Status code', cell: (attempt) => (attempt.responseStatusCode === 0 ? <span className="muted">no response</span> : attempt.responseStatusCode) },
        { header: 'Latency', cell: (attempt) => `${attempt.responseDurationMs} ms` },
        { header: 'Trigger', cell: (attempt) => (attempt.triggerType === 1 ? 'Manual' : 'Scheduled') },
        showUrl && { header: 'URL', cell: (attempt) => <code>{attempt.url}</code> },
        { header: 'Response or error', cell: (attempt) => <ResponseText text={attempt.response} /> },
        { header: 'Trace', cell: (attempt) => <TraceId msgId={attempt.msgId} traceId={attempt.traceId} short /> },
      ]}
    />
  );
}
