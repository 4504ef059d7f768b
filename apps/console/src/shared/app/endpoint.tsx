import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { Endpoint, EndpointFields } from '../api';
import { useApi, useAppId } from '../context';
import { usePaged } from '../paging';
import { isoToLocalInput, localInputToIso } from '../time';
import { Alert, ConfirmedAction, CopyableValue, DateTimeField, ErrorNotice, JsonText, LoadMore, Notice, PageTitle, QueryStatus, Time } from '../ui';
import { AttemptsTable } from './attempts';
import { EndpointForm } from './endpoint-form';
import { EndpointHeadersPanel } from './endpoint-headers';
import { HeldKeys } from './held-keys';
import { CircuitState, EndpointState, rateLimitText } from './endpoints';
import { SendTestEvent } from './test-event';

/** How often the attempts shown refresh while the page is open. */
const REFRESH_MS = 2_000;

/** One endpoint: its state, what can be done to it, and its attempts. */
export function EndpointPage({ endpointId }: { endpointId: string }) {
  const api = useApi();
  const appId = useAppId();
  const query = useQuery({ queryKey: ['app', appId, 'endpoint', endpointId], queryFn: () => api.endpoints.get(appId, endpointId) });
  const endpoint = query.data;
  return (
    <section>
      <p>
        <Link href="/">← Endpoints</Link>
      </p>
      <PageTitle title={endpoint ? `Endpoint ${endpoint.url}` : 'Endpoint'}>
        Endpoint <span className="break">{endpoint?.url}</span>
      </PageTitle>
      <QueryStatus query={query} what="the endpoint" />
      {endpoint ? (
        <>
          <EndpointDetails endpoint={endpoint} />
          <EnableDisable endpoint={endpoint} />
          <HeldKeys endpoint={endpoint} />
          <SendTestEvent endpoint={endpoint} />
          <Secret endpoint={endpoint} />
          <EndpointHeadersPanel endpoint={endpoint} />
          <Recover endpoint={endpoint} />
          <EndpointAttempts endpoint={endpoint} />
          <EditEndpoint endpoint={endpoint} />
          <DeleteEndpoint endpoint={endpoint} />
        </>
      ) : null}
    </section>
  );
}

function EndpointDetails({ endpoint }: { endpoint: Endpoint }) {
  return (
    <dl className="details">
      <dt>State</dt>
      <dd>
        <EndpointState endpoint={endpoint} />
        <CircuitState endpointId={endpoint.id} />
      </dd>
      <dt>Id</dt>
      <dd>
        <code>{endpoint.id}</code>
      </dd>
      {endpoint.uid ? (
        <>
          <dt>Uid</dt>
          <dd>
            <code>{endpoint.uid}</code>
          </dd>
        </>
      ) : null}
      {endpoint.description ? (
        <>
          <dt>Description</dt>
          <dd>{endpoint.description}</dd>
        </>
      ) : null}
      <dt>Event types</dt>
      <dd>{endpoint.eventTypes ? endpoint.eventTypes.join(', ') : 'All'}</dd>
      <dt>Channels</dt>
      <dd>{endpoint.channels ? endpoint.channels.join(', ') : 'Any'}</dd>
      <dt>Rate limit</dt>
      <dd>{rateLimitText(endpoint)}</dd>
      <dt>Delivery order</dt>
      <dd>{endpoint.ordering === 'fifo' ? 'In order per ordering key (FIFO)' : 'Any order'}</dd>
      <dt>Payload filter</dt>
      <dd>{endpoint.filter ? <JsonText value={endpoint.filter} label="Payload filter" /> : 'None: every payload'}</dd>
      {endpoint.verificationRequired ? (
        <>
          <dt>Verified</dt>
          <dd>{endpoint.verifiedAt ? <Time value={endpoint.verifiedAt} /> : 'Not yet: it receives nothing until it answers the challenge'}</dd>
        </>
      ) : null}
      <dt>Created</dt>
      <dd>
        <Time value={endpoint.createdAt} />
      </dd>
      <dt>Updated</dt>
      <dd>
        <Time value={endpoint.updatedAt} />
      </dd>
    </dl>
  );
}

/** The endpoint as the API answered after a change, and the lists that show it refreshed. */
function useEndpointSaved() {
  const appId = useAppId();
  const queryClient = useQueryClient();
  return (endpoint: Endpoint) => {
    queryClient.setQueryData(['app', appId, 'endpoint', endpoint.id], endpoint);
    void queryClient.invalidateQueries({ queryKey: ['app', appId, 'endpoints'] });
    // A change closes the endpoint's circuit.
    void queryClient.invalidateQueries({ queryKey: ['app', appId, 'endpoint', endpoint.id, 'stats'] });
  };
}

function EnableDisable({ endpoint }: { endpoint: Endpoint }) {
  const api = useApi();
  const appId = useAppId();
  const saved = useEndpointSaved();
  const toggle = useMutation({ mutationFn: () => api.endpoints.update(appId, endpoint.id, { disabled: !endpoint.disabled }), onSuccess: saved });
  return (
    <div className="actions">
      <button type="button" className="secondary" onClick={() => toggle.mutate()} disabled={toggle.isPending}>
        {endpoint.disabled ? 'Enable endpoint' : 'Disable endpoint'}
      </button>
      <ErrorNotice error={toggle.error} title="The endpoint was not changed" />
    </div>
  );
}

/** The signing secret, hidden until asked for; rotating keeps the old one signing for the grace period. */
function Secret({ endpoint }: { endpoint: Endpoint }) {
  const api = useApi();
  const appId = useAppId();
  const [shown, setShown] = useState(false);
  const secret = useQuery({ queryKey: ['app', appId, 'endpoint', endpoint.id, 'secret'], queryFn: () => api.endpoints.secret(appId, endpoint.id), enabled: shown });
  const rotate = useMutation({
    mutationFn: () => api.endpoints.rotateSecret(appId, endpoint.id),
    onSuccess: () => void secret.refetch(),
  });
  return (
    <section aria-labelledby={`secret-${endpoint.id}`} className="panel">
      <h2 id={`secret-${endpoint.id}`}>Signing secret</h2>
      <p className="hint">Receivers verify each request's webhook-signature header with this secret (Standard Webhooks).</p>
      {shown ? (
        <>
          <QueryStatus query={secret} what="the secret" />
          {secret.data ? <CopyableValue label="Current secret" value={secret.data.key} /> : null}
        </>
      ) : null}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => setShown(!shown)}>
          {shown ? 'Hide secret' : 'Reveal secret'}
        </button>
        <ConfirmedAction
          ask="Rotate secret…"
          question="The current secret keeps signing for the grace period. Rotate now?"
          confirm="Rotate"
          onConfirm={() => rotate.mutate()}
          pending={rotate.isPending}
        />
      </div>
      {rotate.isSuccess ? <Notice>The secret was rotated{shown ? ': the new one is shown above' : ''}.</Notice> : null}
      <ErrorNotice error={rotate.error} title="The secret was not rotated" />
    </section>
  );
}

/** Sends again every message that failed on the endpoint since a time (Svix's recover). */
function Recover({ endpoint }: { endpoint: Endpoint }) {
  const api = useApi();
  const appId = useAppId();
  const id = useId();
  const [since, setSince] = useState(() => isoToLocalInput(new Date(Date.now() - 86_400_000).toISOString()));
  const recover = useMutation({ mutationFn: (instant: string) => api.endpoints.recover(appId, endpoint.id, instant) });
  const [invalid, setInvalid] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const instant = localInputToIso(since);
    setInvalid(!instant);
    if (instant) recover.mutate(instant);
  };
  return (
    <section aria-labelledby={`${id}-title`} className="panel">
      <h2 id={`${id}-title`}>Recover failed messages</h2>
      <form onSubmit={submit} className="inline-form">
        <DateTimeField label="Failed since" value={since} onChange={setSince} required />
        <button type="submit" disabled={recover.isPending}>
          Recover
        </button>
      </form>
      <Alert>{invalid ? 'Enter the time to recover from.' : null}</Alert>
      {recover.isSuccess ? <Notice>Every message that failed on this endpoint since then is being sent again.</Notice> : null}
      <ErrorNotice error={recover.error} title="Nothing was recovered" />
    </section>
  );
}

function EndpointAttempts({ endpoint }: { endpoint: Endpoint }) {
  const api = useApi();
  const appId = useAppId();
  const attempts = usePaged(['app', appId, 'endpoint', endpoint.id, 'attempts'], (iterator) => api.endpoints.attempts(appId, endpoint.id, iterator), { refetchInterval: REFRESH_MS });
  return (
    <section aria-labelledby={`attempts-${endpoint.id}`} className="panel">
      <h2 id={`attempts-${endpoint.id}`}>Attempts</h2>
      <QueryStatus query={attempts} what="attempts" />
      {!attempts.isPending ? <AttemptsTable attempts={attempts.rows} label="Attempts to this endpoint" showMessage /> : null}
      <LoadMore list={attempts} what="attempts" />
    </section>
  );
}

function EditEndpoint({ endpoint }: { endpoint: Endpoint }) {
  const api = useApi();
  const appId = useAppId();
  const saved = useEndpointSaved();
  const [open, setOpen] = useState(false);
  const save = useMutation({
    mutationFn: (fields: EndpointFields) => api.endpoints.update(appId, endpoint.id, fields),
    onSuccess: (updated) => {
      saved(updated);
      setOpen(false);
    },
  });
  return (
    <section aria-labelledby={`edit-${endpoint.id}`} className="panel">
      <h2 id={`edit-${endpoint.id}`}>Settings</h2>
      {open ? (
        <>
          <EndpointForm key={endpoint.updatedAt} initial={endpoint} submitLabel="Save changes" onSubmit={(fields) => save.mutate(fields)} error={save.error} isSubmitting={save.isPending} />
          <button type="button" className="secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button type="button" className="secondary" onClick={() => setOpen(true)}>
          Edit endpoint
        </button>
      )}
      {save.isSuccess && !open ? <Notice>The endpoint was saved.</Notice> : null}
    </section>
  );
}

function DeleteEndpoint({ endpoint }: { endpoint: Endpoint }) {
  const api = useApi();
  const appId = useAppId();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const remove = useMutation({
    mutationFn: () => api.endpoints.delete(appId, endpoint.id),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: ['app', appId, 'endpoint', endpoint.id] });
      void queryClient.invalidateQueries({ queryKey: ['app', appId, 'endpoints'] });
      navigate('/');
    },
  });
  return (
    <section aria-labelledby={`delete-${endpoint.id}`} className="panel danger">
      <h2 id={`delete-${endpoint.id}`}>Delete</h2>
      <div className="actions">
        <ConfirmedAction
          ask="Delete endpoint…"
          question="It stops receiving events at once, and its attempts are deleted with it. Delete it?"
          confirm="Delete"
          danger
          onConfirm={() => remove.mutate()}
          pending={remove.isPending}
        />
      </div>
      <ErrorNotice error={remove.error} title="The endpoint was not deleted" />
    </section>
  );
}
