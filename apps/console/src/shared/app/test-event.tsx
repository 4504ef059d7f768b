import { useMutation } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { Link } from 'wouter';
import type { Endpoint, Message, MessageIn } from '../api';
import { useApi, useAppId, useConsoleExtras } from '../context';
import { useEventTypes } from '../event-types';
import { usePaged } from '../paging';
import { parsePayload, schemaExample } from '../payload';
import { Alert, Field, JsonText, Notice, QueryStatus, SubmitRow, SuggestingField } from '../ui';
import { AttemptsTable } from './attempts';

const WATCH_MS = 1_000;

/** A test event for this endpoint, as the signed-in token may send one; then its attempts as they happen. */
export function SendTestEvent({ endpoint }: { endpoint: Endpoint }) {
  return useConsoleExtras().sendsOwnMessages ? <SendOwnMessage endpoint={endpoint} /> : <SendExample endpoint={endpoint} />;
}

/** The console's: a message of a chosen type with a payload typed in, to every endpoint subscribed. */
function SendOwnMessage({ endpoint }: { endpoint: Endpoint }) {
  const api = useApi();
  const appId = useAppId();
  const catalogue = useEventTypes();
  const choices = endpoint.eventTypes ?? catalogue.rows.map((type) => type.name);
  const [eventType, setEventType] = useState(endpoint.eventTypes?.[0] ?? '');
  const [payload, setPayload] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const example = schemaExample(catalogue.rows.find((type) => type.name === eventType)?.schemas ?? null);
  const payloadText = payload ?? JSON.stringify(example ?? { test: true, sentFrom: 'Hookline' }, null, 2);
  const send = useMutation({ mutationFn: (message: MessageIn) => api.messages.create(appId, message) });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parsePayload(payloadText);
    const type = eventType.trim();
    const problem = type === '' ? 'Choose the event type to send.' : 'problem' in parsed ? parsed.problem : null;
    setInvalid(problem);
    if (problem === null && 'payload' in parsed) send.mutate({ eventType: type, payload: parsed.payload });
  };

  return (
    <TestEventPanel hint="The message goes to every endpoint of the application that is subscribed to its event type." sent={send.data} endpointId={endpoint.id}>
      <form onSubmit={submit} className="stack" noValidate>
        <SuggestingField label="Event type" value={eventType} onChange={setEventType} suggestions={choices} />
        <Field label="Payload (JSON)">{(control) => <textarea {...control} rows={6} spellCheck={false} value={payloadText} onChange={(event) => setPayload(event.target.value)} />}</Field>
        <Alert>{invalid}</Alert>
        <SubmitRow label="Send test event" failure="The event was not sent" submission={send} />
      </form>
    </TestEventPanel>
  );
}

/** The portal's: an event type's example payload (send-example), to this endpoint alone. */
function SendExample({ endpoint }: { endpoint: Endpoint }) {
  const api = useApi();
  const appId = useAppId();
  const catalogue = useEventTypes();
  const examples = catalogue.rows.flatMap((type) => {
    const example = schemaExample(type.schemas);
    const received = endpoint.eventTypes === null || endpoint.eventTypes.includes(type.name);
    return example && received ? [{ name: type.name, example }] : [];
  });
  const [chosen, setChosen] = useState<string | null>(null);
  // A choice the endpoint or the catalogue no longer offers falls back to the first that is.
  const current = examples.find(({ name }) => name === chosen) ?? examples[0];
  const send = useMutation({ mutationFn: (name: string) => api.endpoints.sendExample(appId, endpoint.id, name) });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (current) send.mutate(current.name);
  };

  return (
    <TestEventPanel hint="The event type's example payload goes to this endpoint alone, signed as every message is." sent={send.data} endpointId={endpoint.id}>
      <QueryStatus query={catalogue} what="event types" />
      {!catalogue.isPending && catalogue.error === null && !catalogue.hasMore && examples.length === 0 ? (
        <Notice>None of the event types this endpoint receives has an example payload to send.</Notice>
      ) : null}
      {current ? (
        <form onSubmit={submit} className="stack">
          <Field label="Event type">
            {(control) => (
              <select {...control} value={current.name} onChange={(event) => setChosen(event.target.value)}>
                {examples.map(({ name }) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div className="field">
            {/* Seen, not read twice: the region's own name says it to a screen reader. */}
            <span className="field-name" aria-hidden="true">
              Example payload
            </span>
            <JsonText value={current.example} label="Example payload" />
          </div>
          <SubmitRow label="Send test event" failure="The event was not sent" submission={send} />
        </form>
      ) : null}
    </TestEventPanel>
  );
}

/** What both forms share: the title and a hint, then the attempts of the message sent. */
function TestEventPanel({ hint, sent, endpointId, children }: { hint: string; sent: Message | undefined; endpointId: string; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={`${id}-title`} className="panel">
      <h2 id={`${id}-title`}>Send a test event</h2>
      <p className="hint">{hint}</p>
      {children}
      {sent ? <WatchAttempts key={sent.id} msgId={sent.id} endpointId={endpointId} /> : null}
    </section>
  );
}

/** The attempts of the message just sent to this endpoint, refreshed every second. */
function WatchAttempts({ msgId, endpointId }: { msgId: string; endpointId: string }) {
  const api = useApi();
  const appId = useAppId();
  const attempts = usePaged(['app', appId, 'msg', msgId, 'attempts'], (iterator) => api.messages.attempts(appId, msgId, iterator), { refetchInterval: WATCH_MS });
  return (
    <div aria-live="polite">
      <Notice>
        Sent message <Link href={`/messages/${msgId}`}>{msgId}</Link>. Its attempts to this endpoint appear below.
      </Notice>
      <QueryStatus query={attempts} what="attempts" />
      {!attempts.isPending ? <AttemptsTable attempts={attempts.rows.filter((attempt) => attempt.endpointId === endpointId)} label="Attempts of the test event" /> : null}
    </div>
  );
}
