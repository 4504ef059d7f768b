import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { ApiKeySummary } from '../shared/api';
import { useApi, useAppId } from '../shared/context';
import { usePaged } from '../shared/paging';
import { Badge, ConfirmedAction, CopyableValue, ErrorNotice, Field, Notice, PagedTable, PageTitle, Time } from '../shared/ui';

/**
 * Who may reach this application: app-portal links for the operator's customer, and API keys for
 * the operator's own services. They are kept apart on purpose: a customer gets a portal token,
 * which expires, never an API key, which lasts until it is revoked.
 */
export function AccessPage() {
  return (
    <section>
      <PageTitle title="Access">Access</PageTitle>
      <PortalLink />
      <ApiKeyCreation />
      <ApiKeyList />
    </section>
  );
}

/**
 * A link to the app portal from POST /auth/app-portal-access: its token reaches this application
 * only, and expires; and Svix's expire-all, which ends every link given out (a leaked one too).
 */
function PortalLink() {
  const api = useApi();
  const appId = useAppId();
  const create = useMutation({ mutationFn: () => api.applications.portalAccess(appId) });
  // The link shown no longer works once every session has ended: it goes with them.
  const expireAll = useMutation({ mutationFn: () => api.applications.expirePortalSessions(appId), onSuccess: () => create.reset() });
  const access = create.data;
  return (
    <section aria-labelledby="portal-link-title">
      <h2 id="portal-link-title">App portal</h2>
      <p>
        A portal link shows your customer this application's endpoints and messages and nothing else. Its token expires (HOOKLINE_PORTAL_TOKEN_TTL, an hour unless set otherwise): make a new link
        each time you hand one out.
      </p>
      <div className="actions">
        <button
          type="button"
          onClick={() => {
            expireAll.reset();
            create.mutate();
          }}
          disabled={create.isPending}
        >
          Create portal link
        </button>
        <ConfirmedAction
          ask="End all portal sessions…"
          question="Every portal link of this application stops working. End them now?"
          confirm="End sessions"
          danger
          onConfirm={() => expireAll.mutate()}
          pending={expireAll.isPending}
        />
      </div>
      <ErrorNotice error={create.error} title="No portal link was created" />
      <ErrorNotice error={expireAll.error} title="The portal sessions were not ended" />
      {expireAll.isSuccess ? <Notice>Every portal session of this application has ended.</Notice> : null}
      {access ? (
        <div className="panel">
          <Notice>A portal link was created. It is shown only now: copy it.</Notice>
          <CopyableValue label="Portal link" value={access.url} />
          <p>
            <a href={access.url} target="_blank" rel="noopener noreferrer">
              Open the app portal
            </a>
          </p>
        </div>
      ) : null}
    </section>
  );
}

/** An API key for this application (admin token only): for the operator's services, not for customers. */
function ApiKeyCreation() {
  const api = useApi();
  const appId = useAppId();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: (keyName: string) => api.applications.createApiKey(appId, keyName),
    onSuccess: () => {
      setName('');
      void queryClient.invalidateQueries({ queryKey: ['app', appId, 'api-keys'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() !== '') create.mutate(name.trim());
  };
  const key = create.data;
  return (
    <section aria-labelledby="api-keys-title">
      <h2 id="api-keys-title">API keys</h2>
      <p>An API key reaches this application only, through the whole API, until it is revoked. Give it to your own services; give your customers a portal link.</p>
      <form onSubmit={submit} className="inline-form">
        <Field label="Key name">{(control) => <input {...control} value={name} onChange={(event) => setName(event.target.value)} required autoComplete="off" />}</Field>
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
        </div>
      ) : null}
    </section>
  );
}

/** The application's API keys (never the keys themselves), each revocable at once. */
function ApiKeyList() {
  const api = useApi();
  const appId = useAppId();
  const queryClient = useQueryClient();
  const keys = usePaged(['app', appId, 'api-keys'], (iterator) => api.applications.apiKeys(appId, iterator));
  const revoke = useMutation({
    mutationFn: (keyId: string) => api.applications.revokeApiKey(appId, keyId),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['app', appId, 'api-keys'] }),
  });
  return (
    <section aria-labelledby="api-key-list-title">
      <h3 id="api-key-list-title">Keys of this application</h3>
      <ErrorNotice error={revoke.error} title="The key was not revoked" />
      <PagedTable<ApiKeySummary>
        list={keys}
        what="API keys"
        empty="This application has no API key."
        label="API keys"
        hiddenCaption
        rowKey={(key) => key.id}
        columns={[
          { header: 'Name', cell: (key) => key.name },
          { header: 'Created', cell: (key) => <Time value={key.createdAt} /> },
          {
            header: 'State',
            cell: (key) =>
              key.revokedAt ? (
                <>
                  <Badge tone="neutral">Revoked</Badge> <Time value={key.revokedAt} />
                </>
              ) : (
                <Badge tone="ok">Active</Badge>
              ),
          },
          {
            header: 'Actions',
            cell: (key) =>
              key.revokedAt ? null : (
                <ConfirmedAction
                  ask={`Revoke ${key.name}…`}
                  question={`Requests with the key ${key.name} are refused from now on. Revoke it?`}
                  confirm="Revoke key"
                  danger
                  onConfirm={() => revoke.mutate(key.id)}
                  pending={revoke.isPending}
                />
              ),
          },
        ]}
      />
    </section>
  );
}
