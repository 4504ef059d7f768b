import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'wouter';
import type { Attempt, DeliveryStatus, EndpointMessage, Message, MessageFilter } from '../api';
import { useApi, useAppId, useConsoleExtras } from '../context';
import { useEventTypes } from '../event-types';
import { usePaged } from '../paging';
import { isoToLocalInput, localInputToIso } from '../time';
import { Badge, DateTimeField, ErrorNotice, Field, JsonText, LoadMore, Notice, PagedTable, PageTitle, QueryStatus, SuggestingField, Time } from '../ui';
import { AttemptsTable } from './attempts';
import { TraceId } from './trace-id';
import { EndpointSelect, useEndpoints } from './endpoints';

/** How often a message's attempts refresh while its page is open. */
const REFRESH_MS = 2_000;

/** The filters of the message log, kept in the page's URL so they survive a reload and can be shared. */
function useMessageFilter(): [MessageFilter, (filter: MessageFilter) => void] {
  const [params, setParams] = useSearchParams();
  const filter: MessageFilter = {
    eventType: params.get('eventType') ?? undefined,
    channel: params.get('channel') ?? undefined,
    after: params.get('after') ?? undefined,
    before: params.get('before') ?? undefined,
    endpointId: params.get('endpoint') ?? undefined,
    status: statusParam(params.get('status')),
  };
  const set = (next: MessageFilter) => {
    const { endpointId, ...rest } = next;
    setParams(Object.fromEntries(Object.entries({ ...rest, endpoint: endpointId }).filter((entry): entry is [string, string] => Boolean(entry[1]))));
  };
  return [filter, set];
}

/** A delivery status from the address, if it is one (a status applies at one endpoint only). */
function statusParam(value: string | null): MessageFilter['status'] {
  return value === '0' || value === '1' || value === '2' ? value : undefined;
}

/** Svix's delivery statuses, as the filter and the log name them. */
const DELIVERY_STATUSES: Array<{ value: `${DeliveryStatus}`; label: string; tone: 'ok' | 'warn' | 'bad' }> = [
  { value: '0', label: 'Delivered', tone: 'ok' },
  { value: '1', label: 'Pending', tone: 'warn' },
  { value: '2', label: 'Failed', tone: 'bad' },
];

function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  const known = DELIVERY_STATUSES.find((entry) => entry.value === String(status))!;
  return <Badge tone={known.tone}>{known.label}</Badge>;
}

const hasStatus = (message: Message | EndpointMessage): message is EndpointMessage => 'status' in message;

/** A message's id, linking to its page. */
export function MessageLink({ id }: { id: string }) {
  return (
    <Link href={`/messages/${id}`}>
      <code>{id}</code>
    </Link>
  );
}

/** The message log: filters, find by id, and the messages newest first. */
export function MessagesPage() {
  const api = useApi();
  const appId = useAppId();
  const [filter, setFilter] = useMessageFilter();
  // With an endpoint, the endpoint's own listing: each message with where it stands there, filterable by that.
  const messages = usePaged<Message | EndpointMessage>(['app', appId, 'messages', filter], (iterator) =>
    filter.endpointId ? api.endpoints.messages(appId, filter.endpointId, filter, iterator) : api.messages.list(appId, filter, iterator),
  );
  const filtered = Object.values(filter).some(Boolean);
  return (
    <section>
      <div className="title-row">
        <PageTitle title="Messages">Messages</PageTitle>
        <button type="button" className="secondary" onClick={messages.refetch}>
          Refresh
        </button>
      </div>
      <FindMessage />
      <MessageFilters filter={filter} onChange={setFilter} />
      <PagedTable
        list={messages}
        what="messages"
        empty={filtered ? 'No message matches these filters.' : 'No messages yet.'}
        label="Messages"
        rowKey={(message) => message.id}
        columns={[
          { header: 'Time', cell: (message) => <Time value={message.timestamp} /> },
          { header: 'Event type', cell: (message) => <code>{message.eventType}</code> },
          { header: 'Message', cell: (message) => <MessageLink id={message.id} /> },
          { header: 'Event id', cell: (message) => (message.eventId ? <code>{message.eventId}</code> : <span className="muted">none</span>) },
          { header: 'Channels', cell: (message) => (message.channels ? message.channels.join(', ') : <span className="muted">none</span>) },
          Boolean(filter.endpointId) && {
            header: 'Delivery there',
            cell: (message) =>
              hasStatus(message) ? (
                <>
                  <DeliveryStatusBadge status={message.status} />
                  {message.nextAttempt ? (
                    <div className="muted">
                      next attempt <Time value={message.nextAttempt} />
                    </div>
                  ) : null}
                </>
              ) : null,
          },
        ]}
      />
    </section>
  );
}

/** Opens a message by its id or by the producer's event id. */
function FindMessage() {
  const api = useApi();
  const appId = useAppId();
  const [, navigate] = useLocation();
  const [text, setText] = useState('');
  const find = useMutation({ mutationFn: (idOrEventId: string) => api.messages.get(appId, idOrEventId), onSuccess: (message) => navigate(`/messages/${message.id}`) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim() !== '') find.mutate(text.trim());
  };
  return (
    <form onSubmit={submit} className="inline-form" role="search" aria-label="Find a message">
      <Field label="Event id or message id">{(control) => <input {...control} value={text} onChange={(event) => setText(event.target.value)} autoComplete="off" />}</Field>
      <button type="submit" disabled={find.isPending}>
        Find
      </button>
      <ErrorNotice error={find.error} title="No such message" />
    </form>
  );
}

function MessageFilters({ filter, onChange }: { filter: MessageFilter; onChange: (filter: MessageFilter) => void }) {
  const catalogue = useEventTypes();
  const [eventType, setEventType] = useState(filter.eventType ?? '');
  const [endpointId, setEndpointId] = useState(filter.endpointId ?? '');
  const [status, setStatus] = useState<string>(filter.status ?? '');
  const [channel, setChannel] = useState(filter.channel ?? '');
  const [after, setAfter] = useState(filter.after ? isoToLocalInput(filter.after) : '');
  const [before, setBefore] = useState(filter.before ? isoToLocalInput(filter.before) : '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({
      eventType: eventType.trim() || undefined,
      channel: channel.trim() || undefined,
      after: localInputToIso(after),
      before: localInputToIso(before),
      endpointId: endpointId || undefined,
      status: endpointId ? statusParam(status) : undefined,
    });
  };
  const clear = () => {
    setEventType('');
    setEndpointId('');
    setStatus('');
    setChannel('');
    setAfter('');
    setBefore('');
    onChange({});
  };
  return (
    <form onSubmit={submit} className="filters" aria-label="Filter messages">
      <SuggestingField label="Event type" value={eventType} onChange={setEventType} suggestions={catalogue.rows.map((type) => type.name)} />
      <Field label="Channel">{(control) => <input {...control} value={channel} onChange={(event) => setChannel(event.target.value)} autoComplete="off" />}</Field>
      <DateTimeField label="After" value={after} onChange={setAfter} />
      <DateTimeField label="Before" value={before} onChange={setBefore} />
      <EndpointSelect label="Sent to endpoint" noneLabel="Any endpoint" value={endpointId} onChange={setEndpointId} />
      <Field label="Delivery status" hint="A message has a status at each endpoint: choose the endpoint first.">
        {(control) => (
          <select {...control} value={endpointId ? status : ''} onChange={(event) => setStatus(event.target.value)} disabled={!endpointId}>
            <option value="">Any status</option>
            {DELIVERY_STATUSES.map((entry) => (
              <option key={entry.value} value={entry.value}>
                {entry.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="actions">
        <button type="submit">Apply filters</button>
        <button type="button" className="secondary" onClick={clear}>
          Clear
        </button>
      </div>
    </form>
  );
}

/** One message: what was sent (as text), and every attempt per endpoint with a resend for each. */
export function MessagePage({ msgId }: { msgId: string }) {
  const api = useApi();
  const appId = useAppId();
  const message = useQuery({ queryKey: ['app', appId, 'msg', msgId], queryFn: () => api.messages.get(appId, msgId) });
  const attempts = usePaged(['app', appId, 'msg', msgId, 'attempts'], (iterator) => api.messages.attempts(appId, msgId, iterator), { refetchInterval: REFRESH_MS });
  const endpoints = useEndpoints();
  const extras = useConsoleExtras();
  const urlOf = new Map(endpoints.rows.map((endpoint) => [endpoint.id, endpoint.url]));
  const byEndpoint = new Map<string, Attempt[]>();
  for (const attempt of attempts.rows) byEndpoint.set(attempt.endpointId, [...(byEndpoint.get(attempt.endpointId) ?? []), attempt]);
  const data = message.data;
  return (
    <section>
      <p>
        <Link href="/messages">← Messages</Link>
      </p>
      <PageTitle title={data ? `Message ${data.eventType}` : 'Message'}>
        Message <code>{data?.eventType}</code>
      </PageTitle>
      <QueryStatus query={message} what="the message" />
      {data ? (
        <>
          <dl className="details">
            <dt>Id</dt>
            <dd>
              <code>{data.id}</code>
            </dd>
            <dt>Event id</dt>
            <dd>{data.eventId ? <code>{data.eventId}</code> : <span className="muted">none</span>}</dd>
            <dt>Event type</dt>
            <dd>
              <code>{data.eventType}</code>
            </dd>
            <dt>Channels</dt>
            <dd>{data.channels ? data.channels.join(', ') : <span className="muted">none</span>}</dd>
            <dt>Accepted</dt>
            <dd>
              <Time value={data.timestamp} />
            </dd>
            <dt>Trace</dt>
            <dd>
              <TraceId msgId={data.id} traceId={data.traceId} />
            </dd>
          </dl>
          <section aria-labelledby="payload-title" className="panel">
            <h2 id="payload-title">Payload</h2>
            <JsonText value={data.payload} label="Message payload" />
          </section>
          {extras.messagePanels?.(data)}
        </>
      ) : null}
      <section aria-labelledby="attempts-title" className="panel">
        <h2 id="attempts-title">Attempts</h2>
        <QueryStatus query={attempts} what="attempts" count={attempts.rows.length} empty="No attempts yet: the message is on its way, or no endpoint is subscribed to it." />
        {[...byEndpoint].map(([endpointId, list]) => (
          <EndpointAttempts key={endpointId} msgId={data?.id ?? msgId} endpointId={endpointId} url={urlOf.get(endpointId) ?? list[0]!.url} attempts={list} />
        ))}
        <LoadMore list={attempts} what="attempts" />
      </section>
    </section>
  );
}

function EndpointAttempts({ msgId, endpointId, url, attempts }: { msgId: string; endpointId: string; url: string; attempts: Attempt[] }) {
  const api = useApi();
  const appId = useAppId();
  const queryClient = useQueryClient();
  const resend = useMutation({
    mutationFn: () => api.messages.resend(appId, msgId, endpointId),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['app', appId, 'msg', msgId, 'attempts'] }),
  });
  return (
    <section aria-label={`Attempts to ${url}`} className="group">
      <h3>
        To <Link href={`/endpoints/${endpointId}`}>{url}</Link>
      </h3>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => resend.mutate()} disabled={resend.isPending} aria-label={`Resend to ${url}`}>
          Resend
        </button>
        {resend.isSuccess ? <Notice>Sent again: the new attempt appears here.</Notice> : null}
        <ErrorNotice error={resend.error} title="The message was not resent" />
      </div>
      <AttemptsTable attempts={attempts} label={`Attempts to ${url}`} />
    </section>
  );
}
