import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import type { Endpoint, EndpointHeadersChange } from '../api';
import { useApi, useAppId } from '../context';
import { Alert, DataTable, ErrorNotice, Field, QueryStatus } from '../ui';

/** One extra header as shown: its value, or null when it carries a credential and is not read back. */
type ShownHeader = { name: string; value: string | null };

/** The extra headers every delivery to the endpoint carries: listed, set one at a time, removed. */
export function EndpointHeadersPanel({ endpoint }: { endpoint: Endpoint }) {
  const api = useApi();
  const appId = useAppId();
  const queryClient = useQueryClient();
  const id = useId();
  const queryKey = ['app', appId, 'endpoint', endpoint.id, 'headers'];
  const query = useQuery({ queryKey, queryFn: () => api.endpoints.headers(appId, endpoint.id) });
  const change = useMutation({
    mutationFn: (body: EndpointHeadersChange) => api.endpoints.changeHeaders(appId, endpoint.id, body),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey }),
  });
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const shown: ShownHeader[] = query.data
    ? [...Object.entries(query.data.headers).map(([header, text]) => ({ name: header, value: text })), ...query.data.sensitive.map((header) => ({ name: header, value: null }))].sort((a, b) => a.name.localeCompare(b.name))
    : [];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const header = name.trim();
    setInvalid(header === '' ? 'Enter the name of the header.' : null);
    if (header === '') return;
    change.mutate(
      { headers: { [header]: value } },
      {
        onSuccess: () => {
          setName('');
          setValue('');
        },
      },
    );
  };

  return (
    <section aria-labelledby={`${id}-title`} className="panel">
      <h2 id={`${id}-title`}>Custom headers</h2>
      <p className="hint">Sent with every delivery to this endpoint. A header that carries a credential (such as Authorization) is not shown again once saved.</p>
      <QueryStatus query={query} what="the headers" count={shown.length} empty="No custom headers." />
      {shown.length > 0 ? (
        <DataTable
          label="Custom headers"
          rows={shown}
          rowKey={(header) => header.name}
          columns={[
            { header: 'Name', cell: (header) => <code>{header.name}</code> },
            { header: 'Value', cell: (header) => (header.value === null ? <span className="muted">Hidden: it carries a credential</span> : <code className="break">{header.value}</code>) },
            {
              header: <span className="visually-hidden">Remove</span>,
              cell: (header) => (
                <button type="button" className="secondary" aria-label={`Remove header ${header.name}`} disabled={change.isPending} onClick={() => change.mutate({ headers: {}, deleteHeaders: [header.name] })}>
                  Remove
                </button>
              ),
            },
          ]}
        />
      ) : null}
      <form onSubmit={submit} className="inline-form" noValidate>
        <Field label="Header name">{(control) => <input {...control} value={name} onChange={(event) => setName(event.target.value)} autoComplete="off" spellCheck={false} />}</Field>
        <Field label="Header value" className="grow">
          {(control) => <input {...control} value={value} onChange={(event) => setValue(event.target.value)} autoComplete="off" spellCheck={false} />}
        </Field>
        <button type="submit" disabled={change.isPending}>
          Set header
        </button>
      </form>
      <Alert>{invalid}</Alert>
      <ErrorNotice error={change.error} title="The headers were not changed" />
    </section>
  );
}
