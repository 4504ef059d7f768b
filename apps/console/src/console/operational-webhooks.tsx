import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import type { OperationalEndpoint } from '../shared/api';
import { useApi } from '../shared/context';
import { usePaged } from '../shared/paging';
import { Badge, CheckList, ConfirmedAction, ErrorNotice, Field, PagedTable, PageTitle, QueryStatus, SubmitRow } from '../shared/ui';
import { operationalEventTypesOf } from './operational-event-types';

const LIST_KEY = ['operational-endpoints'];

/** The operator's own endpoints that Hookline tells what happens to the tenants' endpoints and deliveries (admin token). */
export function OperationalWebhooksPage() {
  const api = useApi();
  const endpoints = usePaged(LIST_KEY, (iterator) => api.operationalWebhooks.list(iterator));
  return (
    <section>
      <PageTitle title="Operational webhooks">Operational webhooks</PageTitle>
      <p className="hint">
        Endpoints of your own that Hookline tells what happens to your customers&apos; endpoints and deliveries: an endpoint created, changed, disabled or enabled; a message failing,
        recovered or dead-lettered. Signed like every webhook, with each endpoint&apos;s own secret.
      </p>
      <PagedTable
        list={endpoints}
        what="operational endpoints"
        empty="No operational endpoint yet."
        label="Operational endpoints"
        rowKey={(endpoint) => endpoint.id}
        columns={[
          { header: 'URL', cell: (endpoint) => <code className="break">{endpoint.url}</code> },
          { header: 'Events', cell: (endpoint) => (endpoint.eventTypes ? endpoint.eventTypes.join(', ') : 'All') },
          { header: 'State', cell: (endpoint) => (endpoint.disabled ? <Badge tone="bad">Disabled</Badge> : <Badge tone="ok">Enabled</Badge>) },
          { header: 'Secret', cell: (endpoint) => <RevealSecret endpoint={endpoint} /> },
          { header: <span className="visually-hidden">Delete</span>, cell: (endpoint) => <DeleteOperationalEndpoint endpoint={endpoint} /> },
        ]}
      />
      <CreateOperationalEndpoint />
    </section>
  );
}

function RevealSecret({ endpoint }: { endpoint: OperationalEndpoint }) {
  const api = useApi();
  const secret = useMutation({ mutationFn: () => api.operationalWebhooks.secret(endpoint.id) });
  if (secret.data) return <code className="break">{secret.data.key}</code>;
  return (
    <>
      <button type="button" className="secondary" aria-label={`Reveal the secret of ${endpoint.url}`} disabled={secret.isPending} onClick={() => secret.mutate()}>
        Reveal
      </button>
      <ErrorNotice error={secret.error} title="The secret could not be read" />
    </>
  );
}

function DeleteOperationalEndpoint({ endpoint }: { endpoint: OperationalEndpoint }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const remove = useMutation({ mutationFn: () => api.operationalWebhooks.delete(endpoint.id), onSuccess: () => void queryClient.invalidateQueries({ queryKey: LIST_KEY }) });
  return (
    <>
      <ConfirmedAction ask="Delete…" askLabel={`Delete ${endpoint.url}`} question="Delete this operational endpoint?" confirm="Delete" onConfirm={() => remove.mutate()} pending={remove.isPending} danger />
      <ErrorNotice error={remove.error} title="The endpoint was not deleted" />
    </>
  );
}

function CreateOperationalEndpoint() {
  const api = useApi();
  const queryClient = useQueryClient();
  const id = useId();
  const document = useQuery({ queryKey: ['openapi'], queryFn: () => api.document(), staleTime: Infinity });
  const types = operationalEventTypesOf(document.data);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () => api.operationalWebhooks.create({ url: url.trim(), description: description.trim(), eventTypes: picked.length > 0 ? picked : null }),
    onSuccess: () => {
      setUrl('');
      setDescription('');
      setPicked([]);
      void queryClient.invalidateQueries({ queryKey: LIST_KEY });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby={`${id}-title`} className="panel">
      <h2 id={`${id}-title`}>New operational endpoint</h2>
      <form onSubmit={submit} className="stack" noValidate>
        <Field label="Endpoint URL">{(control) => <input {...control} type="url" value={url} onChange={(event) => setUrl(event.target.value)} autoComplete="off" />}</Field>
        <Field label="Description">{(control) => <input {...control} value={description} onChange={(event) => setDescription(event.target.value)} />}</Field>
        <CheckList
          legend="Events"
          hint="Pick none to receive every operational event."
          status={<QueryStatus query={document} what="the operational event types" />}
          items={types.map((name) => ({ name }))}
          picked={picked}
          onChange={setPicked}
        />
        <SubmitRow label="Create operational endpoint" failure="The endpoint was not created" submission={create} />
      </form>
    </section>
  );
}
