import { useId } from 'react';
import { Link } from 'wouter';
import type { Endpoint } from '../api';
import { useApi, useAppId } from '../context';
import { usePaged } from '../paging';
import { PagedTable, Time } from '../ui';

/** How often the held keys refresh while the page is open. */
const REFRESH_MS = 2_000;

/**
 * A FIFO endpoint's ordering keys held by a failing message (Hookline's /ordering): what waits
 * behind which message, and until when. Nothing for an endpoint that is not FIFO.
 */
export function HeldKeys({ endpoint }: { endpoint: Endpoint }) {
  return endpoint.ordering === 'fifo' ? <HeldKeysPanel endpoint={endpoint} /> : null;
}

function HeldKeysPanel({ endpoint }: { endpoint: Endpoint }) {
  const api = useApi();
  const appId = useAppId();
  const id = useId();
  const held = usePaged(['app', appId, 'endpoint', endpoint.id, 'ordering'], (iterator) => api.endpoints.heldKeys(appId, endpoint.id, iterator), { refetchInterval: REFRESH_MS });
  return (
    <section aria-labelledby={`${id}-title`} className="panel">
      <h2 id={`${id}-title`}>Held ordering keys</h2>
      <p className="hint">A key is held while its first open message fails: the key's later messages wait for it to be delivered or dead-lettered.</p>
      <PagedTable
        list={held}
        what="held ordering keys"
        empty="No ordering key is held."
        label="Held ordering keys"
        rowKey={(key) => key.orderingKey}
        columns={[
          { header: 'Ordering key', cell: (key) => <code>{key.orderingKey}</code> },
          { header: 'Held by', cell: (key) => <Link href={`/messages/${encodeURIComponent(key.blockedBy)}`}>{key.blockedBy}</Link> },
          { header: 'Failing since', cell: (key) => (key.blockedSince ? <Time value={key.blockedSince} /> : '—') },
          { header: 'Attempts', cell: (key) => key.attempts },
          { header: 'Next attempt', cell: (key) => (key.nextAttempt ? <Time value={key.nextAttempt} /> : endpoint.disabled ? 'None while the endpoint is disabled' : 'None scheduled') },
          { header: 'Waiting behind it', cell: (key) => key.waiting },
        ]}
      />
    </section>
  );
}
