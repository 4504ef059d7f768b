import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'wouter';
import type { DeadLetter, DeadLetterFilter } from '../shared/api';
import { EndpointSelect, useEndpoints } from '../shared/app/endpoints';
import { MessageLink } from '../shared/app/messages';
import { useApi, useAppId } from '../shared/context';
import { usePaged } from '../shared/paging';
import { isoToLocalInput, localInputToIso } from '../shared/time';
import { DataTable, DateTimeField, ErrorNotice, LoadMore, Notice, PageTitle, QueryStatus, Time } from '../shared/ui';
import { replaysOf } from './replay';

const keyOf = (letter: DeadLetter) => `${letter.msgId}:${letter.endpointId}`;

/** Deliveries whose retry window ran out: filter them, pick some or all, and replay them with a fresh schedule. */
export function DeadLettersPage() {
  const api = useApi();
  const appId = useAppId();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const filter: DeadLetterFilter = { endpointId: params.get('endpoint') ?? undefined, since: params.get('since') ?? undefined, until: params.get('until') ?? undefined };
  const letters = usePaged(['app', appId, 'dead-letters', filter], (iterator) => api.deadLetters.list(appId, filter, iterator));
  const endpoints = useEndpoints();
  const urlOf = new Map(endpoints.rows.map((endpoint) => [endpoint.id, endpoint.url]));
  const endpointUrl = (letter: DeadLetter) => urlOf.get(letter.endpointId) ?? letter.endpointId;
  const [selected, setSelected] = useState<Set<string>>(new Set());

  const replay = useMutation({
    // One request per endpoint, naming its messages, so that exactly the rows picked are replayed.
    mutationFn: async (selections: Array<DeadLetterFilter & { msgIds?: string[] }>) => {
      let replayed = 0;
      for (const selection of selections) replayed += (await api.deadLetters.replay(appId, selection)).replayed;
      return replayed;
    },
    onSuccess: () => {
      setSelected(new Set());
      void queryClient.invalidateQueries({ queryKey: ['app', appId, 'dead-letters'] });
    },
  });

  const picked = letters.rows.filter((letter) => selected.has(keyOf(letter)));
  const toggle = (letter: DeadLetter, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(keyOf(letter));
      else next.delete(keyOf(letter));
      return next;
    });
  const allPicked = letters.rows.length > 0 && picked.length === letters.rows.length;

  return (
    <section>
      <div className="title-row">
        <PageTitle title="Dead letters">Dead letters</PageTitle>
        <button type="button" className="secondary" onClick={letters.refetch}>
          Refresh
        </button>
      </div>
      <DeadLetterFilters
        filter={filter}
        onChange={(next) => {
          setSelected(new Set());
          setParams(Object.fromEntries(Object.entries({ endpoint: next.endpointId, since: next.since, until: next.until }).filter((entry): entry is [string, string] => Boolean(entry[1]))));
        }}
      />
      <QueryStatus query={letters} what="dead letters" count={letters.rows.length} empty={Object.values(filter).some(Boolean) ? 'No dead letters match these filters.' : 'No dead letters.'} />
      {letters.rows.length > 0 ? (
        <>
          <div className="actions">
            <button type="button" onClick={() => replay.mutate(replaysOf(picked))} disabled={picked.length === 0 || replay.isPending}>
              Replay selected ({picked.length})
            </button>
            <button type="button" className="secondary" onClick={() => replay.mutate([filter])} disabled={replay.isPending}>
              Replay all matching the filters
            </button>
          </div>
          <DataTable
            label="Dead letters"
            rows={letters.rows}
            rowKey={keyOf}
            columns={[
              {
                header: (
                  <input
                    type="checkbox"
                    aria-label="Select every dead letter shown"
                    checked={allPicked}
                    onChange={(event) => setSelected(event.target.checked ? new Set(letters.rows.map(keyOf)) : new Set())}
                  />
                ),
                cell: (letter) => (
                  <input
                    type="checkbox"
                    aria-label={`Select message ${letter.msgId} to ${endpointUrl(letter)}`}
                    checked={selected.has(keyOf(letter))}
                    onChange={(event) => toggle(letter, event.target.checked)}
                  />
                ),
              },
              { header: 'Died', cell: (letter) => <Time value={letter.deadAt} /> },
              { header: 'Event type', cell: (letter) => <code>{letter.eventType}</code> },
              { header: 'Message', cell: (letter) => <MessageLink id={letter.msgId} /> },
              { header: 'Endpoint', cell: (letter) => <Link href={`/endpoints/${letter.endpointId}`}>{endpointUrl(letter)}</Link> },
              { header: 'Attempts', cell: (letter) => letter.attempts },
            ]}
          />
        </>
      ) : null}
      <LoadMore list={letters} what="dead letters" />
      {replay.isSuccess ? <Notice>Replayed {replay.data === 1 ? '1 delivery' : `${replay.data} deliveries`} with a fresh retry schedule.</Notice> : null}
      <ErrorNotice error={replay.error} title="The replay failed" />
    </section>
  );
}

function DeadLetterFilters({ filter, onChange }: { filter: DeadLetterFilter; onChange: (filter: DeadLetterFilter) => void }) {
  const [endpointId, setEndpointId] = useState(filter.endpointId ?? '');
  const [since, setSince] = useState(filter.since ? isoToLocalInput(filter.since) : '');
  const [until, setUntil] = useState(filter.until ? isoToLocalInput(filter.until) : '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ endpointId: endpointId || undefined, since: localInputToIso(since), until: localInputToIso(until) });
  };
  return (
    <form onSubmit={submit} className="filters" aria-label="Filter dead letters">
      <EndpointSelect label="Endpoint" noneLabel="All endpoints" value={endpointId} onChange={setEndpointId} />
      <DateTimeField label="Died after" value={since} onChange={setSince} />
      <DateTimeField label="Died before" value={until} onChange={setUntil} />
      <div className="actions">
        <button type="submit">Apply filters</button>
      </div>
    </form>
  );
}
