import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useApi } from '../shared/context';
import { usePaged } from '../shared/paging';
import { ErrorNotice, Field, PagedTable, PageTitle, Time } from '../shared/ui';

/** Every application the token may see (an API key: its own), searched by the API across all of them. */
export function ApplicationsPage() {
  const api = useApi();
  const [search, setSearch] = useState('');
  const searched = useSettled(search.trim(), 300);
  const applications = usePaged(['applications', searched], (iterator) => api.applications.list(iterator, searched || undefined));
  return (
    <section>
      <PageTitle title="Applications">Applications</PageTitle>
      <Field label="Search applications" hint="By a part of the name or uid, or the whole id." className="search">
        {(control) => <input {...control} type="search" value={search} onChange={(event) => setSearch(event.target.value)} autoComplete="off" />}
      </Field>
      <PagedTable
        list={applications}
        what="applications"
        empty={searched ? 'No application matches.' : 'No applications yet.'}
        label="Applications"
        rows={applications.rows}
        rowKey={(application) => application.id}
        columns={[
          { header: 'Name', cell: (application) => <Link href={`/app/${application.id}`}>{application.name}</Link> },
          { header: 'Uid', cell: (application) => (application.uid ? <code>{application.uid}</code> : <span className="muted">none</span>) },
          { header: 'Id', cell: (application) => <code>{application.id}</code> },
          { header: 'Created', cell: (application) => <Time value={application.createdAt} /> },
        ]}
      />
      <CreateApplication />
    </section>
  );
}

function CreateApplication() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [name, setName] = useState('');
  const [uid, setUid] = useState('');
  const create = useMutation({
    mutationFn: () => api.applications.create({ name: name.trim(), ...(uid.trim() ? { uid: uid.trim() } : {}) }),
    onSuccess: (application) => {
      void queryClient.invalidateQueries({ queryKey: ['applications'] });
      navigate(`/app/${application.id}`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="create-app" className="panel">
      <h2 id="create-app">New application</h2>
      <form onSubmit={submit} className="inline-form">
        <Field label="Name">{(control) => <input {...control} value={name} onChange={(event) => setName(event.target.value)} required autoComplete="off" />}</Field>
        <Field label="Uid (optional)">{(control) => <input {...control} value={uid} onChange={(event) => setUid(event.target.value)} autoComplete="off" />}</Field>
        <button type="submit" disabled={create.isPending}>
          Create application
        </button>
      </form>
      <ErrorNotice error={create.error} title="The application was not created" />
    </section>
  );
}

/** `value` once it has stopped changing for `ms`: one request per pause in typing, not per key. */
function useSettled(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
