import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useLocation } from 'wouter';
import type { Endpoint, EndpointFields } from '../api';
import { useApi, useAppId } from '../context';
import { usePaged } from '../paging';
import { Badge, LoadMore, PageTitle, QueryStatus, TableScroll } from '../ui';
import { EndpointForm } from './endpoint-form';

/** Enabled or disabled, and whether it still has to pass the verification handshake. */
export function EndpointState({ endpoint }: { endpoint: Endpoint }) {
  return (
    <span className="badges">
      {endpoint.disabled ? <Badge tone="bad">Disabled</Badge> : <Badge tone="ok">Enabled</Badge>}
      {endpoint.verificationRequired && endpoint.verifiedAt === null ? <Badge tone="warn">Not verified</Badge> : null}
    </span>
  );
}

export const rateLimitText = (endpoint: Endpoint) => (endpoint.throttleRate === null ? 'No limit' : `${endpoint.throttleRate} / s`);

export function useEndpoints() {
  const api = useApi();
  const appId = useAppId();
  return usePaged(['app', appId, 'endpoints'], (iterator) => api.endpoints.list(appId, iterator));
}

/** The application's endpoints with their state. */
export function EndpointsPage() {
  const endpoints = useEndpoints();
  return (
    <section>
      <div className="title-row">
        <PageTitle title="Endpoints">Endpoints</PageTitle>
        <Link href="/endpoints/new" className="button">
          Add endpoint
        </Link>
      </div>
      <QueryStatus query={endpoints} what="endpoints" count={endpoints.rows.length} empty="No endpoints yet. Add one to start receiving webhooks." />
      {endpoints.rows.length > 0 ? (
        <TableScroll label="Endpoints">
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">State</th>
                <th scope="col">Event types</th>
                <th scope="col">Rate limit</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.rows.map((endpoint) => (
                <tr key={endpoint.id}>
                  <td>
                    <Link href={`/endpoints/${endpoint.id}`}>{endpoint.url}</Link>
                    {endpoint.description ? <div className="muted">{endpoint.description}</div> : null}
                  </td>
                  <td>
                    <EndpointState endpoint={endpoint} />
                  </td>
                  <td>{endpoint.eventTypes ? endpoint.eventTypes.join(', ') : <span className="muted">All</span>}</td>
                  <td>{rateLimitText(endpoint)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
      <LoadMore list={endpoints} what="endpoints" />
    </section>
  );
}

export function EndpointCreatePage() {
  const api = useApi();
  const appId = useAppId();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const create = useMutation({
    mutationFn: (fields: EndpointFields) => api.endpoints.create(appId, fields),
    onSuccess: (endpoint) => {
      void queryClient.invalidateQueries({ queryKey: ['app', appId, 'endpoints'] });
      navigate(`/endpoints/${endpoint.id}`);
    },
  });
  return (
    <section>
      <p>
        <Link href="/">← Endpoints</Link>
      </p>
      <PageTitle title="Add endpoint">Add endpoint</PageTitle>
      <EndpointForm submitLabel="Create endpoint" onSubmit={(fields) => create.mutate(fields)} error={create.error} isSubmitting={create.isPending} />
    </section>
  );
}
