import { Link } from 'wouter';
import { useConsoleExtras } from '../context';

/** A trace id; in the console, a link to the message's traces. `short` keeps table cells narrow. */
export function TraceId({ msgId, traceId, short = false }: { msgId: string; traceId: string | null; short?: boolean }) {
  const { tracePage } = useConsoleExtras();
  if (traceId === null) return <span className="muted">none</span>;
  const text = <code title={traceId}>{short ? `${traceId.slice(0, 8)}…` : traceId}</code>;
  return tracePage ? (
    <Link href={tracePage(msgId)} aria-label={`Trace ${traceId}`}>
      {text}
    </Link>
  ) : (
    text
  );
}
