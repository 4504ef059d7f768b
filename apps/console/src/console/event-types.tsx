import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useEventTypes } from '../shared/event-types';
import { schemaExample } from '../shared/payload';
import { Badge, ErrorNotice, Field, JsonText, PageTitle, QueryStatus } from '../shared/ui';
import { useApi } from '../shared/context';

/** The event-type catalogue shared by every application: name, description and a schema example when there is one. */
export function EventTypesPage() {
  const catalogue = useEventTypes();
  return (
    <section>
      <PageTitle title="Event types">Event types</PageTitle>
      <QueryStatus query={catalogue} what="event types" count={catalogue.rows.length} empty="The catalogue is empty." />
      <ul className="cards">
        {catalogue.rows.map((type) => {
          const example = schemaExample(type.schemas);
          return (
            <li key={type.name} className="card">
              <h2>
                <code>{type.name}</code> {type.archived ? <Badge tone="neutral">Archived</Badge> : null}
              </h2>
              <p>{type.description || <span className="muted">No description.</span>}</p>
              {example ? (
                <details>
                  <summary>Example payload</summary>
                  <JsonText value={example} label={`Example payload of ${type.name}`} />
                </details>
              ) : null}
            </li>
          );
        })}
      </ul>
      <CreateEventType />
    </section>
  );
}

function CreateEventType() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: () => api.eventTypes.create({ name: name.trim(), description: description.trim() }),
    onSuccess: () => {
      setName('');
      setDescription('');
      void queryClient.invalidateQueries({ queryKey: ['event-types'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="create-type" className="panel">
      <h2 id="create-type">New event type</h2>
      <form onSubmit={submit} className="inline-form">
        <Field label="Name">{(control) => <input {...control} value={name} onChange={(event) => setName(event.target.value)} required autoComplete="off" placeholder="order.created" />}</Field>
        <Field label="Description" className="grow">
          {(control) => <input {...control} value={description} onChange={(event) => setDescription(event.target.value)} autoComplete="off" />}
        </Field>
        <button type="submit" disabled={create.isPending}>
          Create event type
        </button>
      </form>
      <ErrorNotice error={create.error} title="The event type was not created" />
    </section>
  );
}
