import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useLocation } from 'wouter';
import type { Endpoint, EndpointFields } from '../api';
import { useApi, useAppId } from '../context';
import { usePaged } from '../paging';
import { Badge, Field, PagedTable, PageTitle, Time } from '../ui';
import { EndpointForm } from './endpoint-form';

/**
 * Enabled or disabled and why, whether it still has to pass the verification handshake, and since
 * when every attempt to it has failed (the run of failures that, long enough, disables it).
 */
export function EndpointState({ endpoint }: { endpoint: Endpoint }) {
  return (
    <span className="badges">
      {endpoint.disabled ? <Badge tone="bad">Disabled</Badge> : <Badge tone="ok">Enabled</Badge>}
      {endpoint.verificationRequired && endpoint.verifiedAt === null ? <Badge tone="warn">Not verified</Badge> : null}
      {endpoint.disabled && endpoint.disabledReason ? <span className="state-note">Why: {endpoint.disabledReason}</span> : null}
      {endpoint.failingSince ? (
        <span className="state-note">
          <Badge tone="warn">Failing</Badge> since <Time value={endpoint.failingSince} />
        </span>
      ) : null}
    </span>
  );
}

/** The endpoint's stats (attempts of the last 24 hours, circuit), read once for all that show them. */
function useEndpointStats(endpointId: string) {
  const api = useApi();
  const appId = useAppId();
  return useQuery({ queryKey: ['app', appId, 'endpoint', endpointId, 'stats'], queryFn: () => api.endpoints.stats(appId, endpointId) });
}

/** Whether delivery's circuit breaker holds the endpoint's deliveries back now (nothing while it does not). */
export function CircuitState({ endpointId }: { endpointId: string }) {
  const stats = useEndpointStats(endpointId);
  if (!stats.data?.circuitOpen) return null;
  return (
    <div className="state-note">
      <Badge tone="bad">Circuit open</Badge> its latest attempts all failed: deliveries wait, then one probe tries again
    </div>
  );
}

/** The share of its attempts of the last 24 hours that succeeded, read from the endpoint's stats. */
export function SuccessRate({ endpointId }: { endpointId: string }) {
  const stats = useEndpointStats(endpointId);
  if (stats.isPending) return <span className="muted">…</span>;
  if (stats.error) return <span className="muted">Unknown: {stats.error.message}</span>;
  const { success, fail } = stats.data;
  const total = success + fail;
  if (total === 0) return <span className="muted">No attempts</span>;
  return (
    <span>
      {successPercent(success, total)} <span className="muted">({success} of {total})</span>
    </span>
  );
}

/** A success rate as a person reads it: whole percents, except that neither 0 nor 100 is shown unless exact. */
export function successPercent(success: number, total: number): string {
  const percent = (100 * success) / total;
  const rounded = success === total ? 100 : success === 0 ? 0 : Math.min(99, Math.max(1, Math.round(percent)));
  return `${rounded} %`;
}

export const rateLimitText = (endpoint: Endpoint) => (endpoint.throttleRate === null ? 'No limit' : `${endpoint.throttleRate} / s`);

export function useEndpoints() {
  const api = useApi();
  const appId = useAppId();
  return usePaged(['app', appId, 'endpoints'], (iterator) => api.endpoints.list(appId, iterator));
}

/**
 * A choice of one of the application's endpoints, by URL, or of none (`noneLabel`). An id that
 * is not among the endpoints loaded (one from the page's address) is offered as itself.
 */
export function EndpointSelect({ label, noneLabel, value, onChange }: { label: string; noneLabel: string; value: string; onChange: (endpointId: string) => void }) {
  const endpoints = useEndpoints();
  return (
    <Field label={label}>
      {(control) => (
        <select {...control} value={value} onChange={(event) => onChange(event.target.value)}>
          <option value="">{noneLabel}</option>
          {endpoints.rows.map((endpoint) => (
            <option key={endpoint.id} value={endpoint.id}>
              {endpoint.url}
            </option>
          ))}
          {value && !endpoints.rows.some((endpoint) => endpoint.id === value) ? <option value={value}>{value}</option> : null}
        </select>
      )}
    </Field>
  );
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
      <PagedTable
        list={endpoints}
        what="endpoints"
        empty="No endpoints yet. Add one to start receiving webhooks."
        label="Endpoints"
        rowKey={(endpoint) => endpoint.id}
        columns={[
          {
            header: 'URL',
            cell: (endpoint) => (
              <>
                <Link href={`/endpoints/${endpoint.id}`}>{endpoint.url}</Link>
                {endpoint.description ? <div className="muted">{endpoint.description}</div> : null}
              </>
            ),
          },
          {
            header: 'State',
            cell: (endpoint) => (
              <>
                <EndpointState endpoint={endpoint} />
                <CircuitState endpointId={endpoint.id} />
              </>
            ),
          },
          { header: 'Event types', cell: (endpoint) => (endpoint.eventTypes ? endpoint.eventTypes.join(', ') : <span className="muted">All</span>) },
          { header: 'Success (24 h)', cell: (endpoint) => <SuccessRate endpointId={endpoint.id} /> },
          { header: 'Rate limit', cell: rateLimitText },
        ]}
      />
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
