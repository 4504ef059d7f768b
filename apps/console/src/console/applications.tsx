import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useApi } from '../shared/context';
import { usePaged } from '../shared/paging';
import { ErrorNotice, PagedTable, PageTitle, Time } from '../shared/ui';

/** Every application the token may see (an API key: its own), searched by the API across all of them. */
export function ApplicationsPage() {
  const api = useApi();
  const [search, setSearch] = useState('');
  const searched = useSettled(search.trim(), 300);
  const applications = usePaged(['applications', searched], (iterator) => api.applications.list(iterator, searched || undefined));
  return (
    <section>
      <PageTitle title="Applications">Applications</PageTitle>
      <div className="field search">
        <label htmlFor="app-search">Search applications</label>
        <input id="app-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} aria-describedby="app-search-hint" autoComplete="off" />
        <p className="hint" id="app-search-hint">
          By a part of the name or uid, or the whole id.
        </p>
      </div>
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
        <div className="field">
          <label htmlFor="app-name">Name</label>
          <input id="app-name" value={name} onChange={(event) => setName(event.target.value)} required autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="app-uid">Uid (optional)</label>
          <input id="app-uid" value={uid} onChange={(event) => setUid(event.target.value)} autoComplete="off" />
        </div>
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
