import { useQuery } from '@tanstack/react-query';
import { useApi } from '../shared/context';
import { DataTable, PageTitle, QueryStatus, Time } from '../shared/ui';
import { summarize } from './overview-summary';

/** How often the page asks again: the overview is cheap enough to poll (docs/performance.md, "Stats"). */
const REFRESH_MS = 5_000;

/**
 * The installation at a glance, for the admin token: deliveries per minute, success rate, what
 * waits in each retry tier, and dead letters, over the last three hours in one-minute buckets.
 */
export function OverviewPage() {
  const api = useApi();
  const overview = useQuery({ queryKey: ['stats', 'overview'], queryFn: () => api.stats.overview(), refetchInterval: REFRESH_MS });
  const data = overview.data;
  const summary = data ? summarize(data) : null;
  const busy = data ? data.buckets.filter((bucket) => bucket.delivered + bucket.failed + bucket.dead > 0).reverse() : [];
  return (
    <section>
      <PageTitle title="Overview">Overview</PageTitle>
      <QueryStatus query={overview} what="the overview" />
      {data && summary ? (
        <>
          <p className="muted">
            From <Time value={data.since} /> to <Time value={data.until} />, in {data.bucket} buckets; refreshed every {REFRESH_MS / 1000} s.
          </p>
          <dl className="figures" aria-label="At a glance">
            <div>
              <dt>Deliveries per minute</dt>
              <dd>{summary.deliveredPerMinute ?? '–'}</dd>
            </div>
            <div>
              <dt>Success rate</dt>
              <dd>{summary.successPercent === null ? 'no attempts' : `${summary.successPercent}%`}</dd>
            </div>
            <div>
              <dt>Attempts</dt>
              <dd>{summary.attempts}</dd>
            </div>
            <div>
              <dt>Waiting for a retry</dt>
              <dd>{summary.waitingRetries ?? 'unknown (Kafka did not answer)'}</dd>
            </div>
            <div>
              <dt>Dead letters</dt>
              <dd>{data.deadLetters}</dd>
            </div>
          </dl>
          <DataTable
            label="Retry tiers"
            caption="Retry tiers"
            rows={data.retryTiers}
            rowKey={(tier) => tier.topic}
            columns={[
              { header: 'Tier', cell: (tier) => tier.tier },
              { header: 'Topic', cell: (tier) => <code>{tier.topic}</code> },
              { header: 'Waiting', cell: (tier) => tier.waiting ?? 'unknown' },
            ]}
          />
          {busy.length > 0 ? (
            <DataTable
              label="Attempts per bucket"
              caption="Attempts per bucket, newest first (buckets with none left out)"
              rows={busy}
              rowKey={(bucket) => bucket.start}
              columns={[
                { header: 'From', cell: (bucket) => <Time value={bucket.start} /> },
                { header: 'Succeeded', cell: (bucket) => bucket.delivered },
                { header: 'Failed', cell: (bucket) => bucket.failed },
                { header: 'Dead-lettered', cell: (bucket) => bucket.dead },
              ]}
            />
          ) : (
            <p className="muted">No attempts in the range.</p>
          )}
        </>
      ) : null}
    </section>
  );
}
