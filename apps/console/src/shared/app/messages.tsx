import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'wouter';
import type { Attempt, MessageFilter } from '../api';
import { useApi, useAppId } from '../context';
import { useEventTypes } from '../event-types';
import { usePaged } from '../paging';
import { isoToLocalInput, localInputToIso } from '../time';
import { ErrorNotice, JsonText, LoadMore, Notice, PageTitle, QueryStatus, TableScroll, Time } from '../ui';
import { AttemptsTable } from './attempts';
import { TraceId } from './trace-id';
import { useEndpoints } from './endpoints';

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
  };
  const set = (next: MessageFilter) => setParams(Object.fromEntries(Object.entries(next).filter((entry): entry is [string, string] => Boolean(entry[1]))));
  return [filter, set];
}

/** The message log: filters, find by id, and the messages newest first. */
export function MessagesPage() {
  const api = useApi();
  const appId = useAppId();
  const [filter, setFilter] = useMessageFilter();
  const messages = usePaged(['app', appId, 'messages', filter], (iterator) => api.messages.list(appId, filter, iterator));
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
      <QueryStatus query={messages} what="messages" count={messages.rows.length} empty={filtered ? 'No message matches these filters.' : 'No messages yet.'} />
      {messages.rows.length > 0 ? (
        <TableScroll label="Messages">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event type</th>
                <th scope="col">Message</th>
                <th scope="col">Event id</th>
                <th scope="col">Channels</th>
              </tr>
            </thead>
            <tbody>
              {messages.rows.map((message) => (
                <tr key={message.id}>
                  <td>
                    <Time value={message.timestamp} />
                  </td>
                  <td>
                    <code>{message.eventType}</code>
                  </td>
                  <td>
                    <Link href={`/messages/${message.id}`}>
                      <code>{message.id}</code>
                    </Link>
                  </td>
                  <td>{message.eventId ? <code>{message.eventId}</code> : <span className="muted">none</span>}</td>
                  <td>{message.channels ? message.channels.join(', ') : <span className="muted">none</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
      <LoadMore list={messages} what="messages" />
    </section>
  );
}

/** Opens a message by its id or by the producer's event id. */
function FindMessage() {
  const api = useApi();
  const appId = useAppId();
  const id = useId();
  const [, navigate] = useLocation();
  const [text, setText] = useState('');
  const find = useMutation({ mutationFn: (idOrEventId: string) => api.messages.get(appId, idOrEventId), onSuccess: (message) => navigate(`/messages/${message.id}`) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim() !== '') find.mutate(text.trim());
  };
  return (
    <form onSubmit={submit} className="inline-form" role="search" aria-label="Find a message">
      <div className="field">
        <label htmlFor={`${id}-find`}>Event id or message id</label>
        <input id={`${id}-find`} value={text} onChange={(event) => setText(event.target.value)} autoComplete="off" />
      </div>
      <button type="submit" disabled={find.isPending}>
        Find
      </button>
      <ErrorNotice error={find.error} title="No such message" />
    </form>
  );
}

function MessageFilters({ filter, onChange }: { filter: MessageFilter; onChange: (filter: MessageFilter) => void }) {
  const id = useId();
  const catalogue = useEventTypes();
  const [eventType, setEventType] = useState(filter.eventType ?? '');
  const [channel, setChannel] = useState(filter.channel ?? '');
  const [after, setAfter] = useState(filter.after ? isoToLocalInput(filter.after) : '');
  const [before, setBefore] = useState(filter.before ? isoToLocalInput(filter.before) : '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ eventType: eventType.trim() || undefined, channel: channel.trim() || undefined, after: localInputToIso(after), before: localInputToIso(before) });
  };
  const clear = () => {
    setEventType('');
    setChannel('');
    setAfter('');
    setBefore('');
    onChange({});
  };
  return (
    <form onSubmit={submit} className="filters" aria-label="Filter messages">
      <div className="field">
        <label htmlFor={`${id}-type`}>Event type</label>
        <input id={`${id}-type`} list={`${id}-types`} value={eventType} onChange={(event) => setEventType(event.target.value)} autoComplete="off" />
        <datalist id={`${id}-types`}>
          {catalogue.rows.map((type) => (
            <option key={type.name} value={type.name} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor={`${id}-channel`}>Channel</label>
        <input id={`${id}-channel`} value={channel} onChange={(event) => setChannel(event.target.value)} autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-after`}>After</label>
        <input id={`${id}-after`} type="datetime-local" step={1} value={after} onChange={(event) => setAfter(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-before`}>Before</label>
        <input id={`${id}-before`} type="datetime-local" step={1} value={before} onChange={(event) => setBefore(event.target.value)} />
      </div>
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
