import { Link } from 'wouter';
import type { Attempt } from '../api';
import { Badge, Empty, TableScroll, Time } from '../ui';
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
    <TableScroll label={label}>
      <table>
        <caption className="visually-hidden">{label}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            {showMessage ? <th scope="col">Message</th> : null}
            <th scope="col">Result</th>
            <th scope="col">Status code</th>
            <th scope="col">Latency</th>
            <th scope="col">Trigger</th>
            {showUrl ? <th scope="col">URL</th> : null}
            <th scope="col">Response or error</th>
            <th scope="col">Trace</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((attempt) => (
            <tr key={attempt.id}>
              <td>
                <Time value={attempt.timestamp} />
              </td>
              {showMessage ? (
                <td>
                  <Link href={`/messages/${attempt.msgId}`} aria-label={`Message ${attempt.msgId}`}>
                    <code>{attempt.msgId.slice(0, 8)}…</code>
                  </Link>
                </td>
              ) : null}
              <td>{attempt.status === 0 ? <Badge tone="ok">Succeeded</Badge> : <Badge tone="bad">Failed</Badge>}</td>
              <td>{attempt.responseStatusCode === 0 ? <span className="muted">no response</span> : attempt.responseStatusCode}</td>
              <td>{attempt.responseDurationMs} ms</td>
              <td>{attempt.triggerType === 1 ? 'Manual' : 'Scheduled'}</td>
              {showUrl ? (
                <td>
                  <code>{attempt.url}</code>
                </td>
              ) : null}
              <td>
                <ResponseText text={attempt.response} />
              </td>
              <td>
                <TraceId msgId={attempt.msgId} traceId={attempt.traceId} short />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
