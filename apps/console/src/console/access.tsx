import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useApi, useAppId } from '../shared/context';
import { CopyableValue, ErrorNotice, Notice, PageTitle } from '../shared/ui';
import { portalLink } from '../portal/access';

/** API keys scoped to this application (admin token only), each with a link that opens the app portal with it. */
export function AccessPage() {
  const api = useApi();
  const appId = useAppId();
  const [name, setName] = useState('');
  const create = useMutation({ mutationFn: (keyName: string) => api.applications.createApiKey(appId, keyName) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() !== '') create.mutate(name.trim());
  };
  const key = create.data;
  return (
    <section>
      <PageTitle title="Access">Access</PageTitle>
      <p>An API key reaches this application only. The app portal, opened with one, shows your customer this application's endpoints and messages and nothing else.</p>
      <form onSubmit={submit} className="inline-form">
        <div className="field">
          <label htmlFor="key-name">Key name</label>
          <input id="key-name" value={name} onChange={(event) => setName(event.target.value)} required autoComplete="off" />
        </div>
        <button type="submit" disabled={create.isPending}>
          Create API key
        </button>
      </form>
      <ErrorNotice error={create.error} title="No key was created" />
      {key ? (
        <div className="panel">
          <Notice>
            Key <strong>{key.name}</strong> created. It is shown only now: copy it.
          </Notice>
          <CopyableValue label="API key" value={key.key} />
          <p>
            <a href={portalLink(window.location.origin, appId, key.key)} target="_blank" rel="noopener noreferrer">
              Open the app portal with this key
            </a>
          </p>
        </div>
      ) : null}
    </section>
  );
}
