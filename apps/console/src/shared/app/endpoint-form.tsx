import { type FormEvent, useState } from 'react';
import type { Endpoint, EndpointFields } from '../api';
import { useEventTypes } from '../event-types';
import { Alert, CheckList, Field, QueryStatus, SubmitRow } from '../ui';
import { filterText, parseEndpointForm } from './endpoint-fields';

/**
 * Creates or edits an endpoint: its URL, a description, the event types it receives (picked from
 * the catalogue; none picked means every type), channels, a rate limit and a payload filter.
 */
export function EndpointForm({
  initial,
  submitLabel,
  onSubmit,
  error,
  isSubmitting,
}: {
  initial?: Endpoint;
  submitLabel: string;
  onSubmit: (fields: EndpointFields) => void;
  error: unknown;
  isSubmitting: boolean;
}) {
  const catalogue = useEventTypes();
  const [url, setUrl] = useState(initial?.url ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [picked, setPicked] = useState<string[]>(initial?.eventTypes ?? []);
  const [channels, setChannels] = useState((initial?.channels ?? []).join(', '));
  const [throttleRate, setThrottleRate] = useState(initial?.throttleRate?.toString() ?? '');
  const [filter, setFilter] = useState(filterText(initial?.filter));
  const [ordering, setOrdering] = useState(initial?.ordering ?? 'none');
  const [invalid, setInvalid] = useState<string | null>(null);

  // Types the endpoint already has stay pickable even if the catalogue no longer lists them.
  const names = [...new Set([...catalogue.rows.map((type) => type.name), ...picked])].sort();
  const describe = new Map(catalogue.rows.map((type) => [type.name, type.description]));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseEndpointForm({ url, description, eventTypes: picked, channels, throttleRate, filter, ordering });
    if ('problem' in parsed) {
      setInvalid(parsed.problem);
      return;
    }
    setInvalid(null);
    onSubmit(parsed.fields);
  };

  return (
    <form onSubmit={submit} className="stack" noValidate>
      <Field label="Endpoint URL">{(control) => <input {...control} type="url" inputMode="url" required value={url} onChange={(event) => setUrl(event.target.value)} placeholder="https://example.com/webhooks" />}</Field>
      <Field label="Description">{(control) => <input {...control} value={description} onChange={(event) => setDescription(event.target.value)} />}</Field>
      <CheckList
        legend="Event types"
        hint="Pick none to receive every event type."
        status={<QueryStatus query={catalogue} what="the event types" count={names.length} empty="The catalogue has no event types yet." />}
        items={names.map((name) => ({ name, description: describe.get(name) }))}
        picked={picked}
        onChange={setPicked}
      />
      <Field label="Channels" hint="Comma-separated; empty to receive events of any channel.">
        {(control) => <input {...control} value={channels} onChange={(event) => setChannels(event.target.value)} />}
      </Field>
      <Field label="Rate limit (deliveries per second)" hint="Empty for no limit.">
        {(control) => <input {...control} type="number" min={1} inputMode="numeric" value={throttleRate} onChange={(event) => setThrottleRate(event.target.value)} />}
      </Field>
      <Field
        label="Payload filter (JSON)"
        hint={
          <>
            Only events whose payload passes it are delivered, in Convoy's syntax: <code>$eq $neq $gt $gte $lt $lte $in $nin $exist $regex $and $or</code>, dotted paths,{' '}
            <code>$</code> for any array element. Empty for none.
          </>
        }
      >
        {(control) => <textarea {...control} rows={5} spellCheck={false} value={filter} onChange={(event) => setFilter(event.target.value)} placeholder='{"amount": {"$gt": 1000}}' />}
      </Field>
      <Field label="Delivery order" hint="FIFO sends the messages of each ordering key one at a time: a failing one holds the ones behind it until it is delivered or dead-lettered.">
        {(control) => (
          <select {...control} value={ordering} onChange={(event) => setOrdering(event.target.value === 'fifo' ? 'fifo' : 'none')}>
            <option value="none">Any order (fastest)</option>
            <option value="fifo">In order per ordering key (FIFO)</option>
          </select>
        )}
      </Field>
      <Alert>{invalid}</Alert>
      <SubmitRow label={isSubmitting ? 'Saving…' : submitLabel} failure="The endpoint was not saved" submission={{ error, isPending: isSubmitting }} />
    </form>
  );
}
