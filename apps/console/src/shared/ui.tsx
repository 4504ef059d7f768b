import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { ApiFailure } from './api';
import { errorMessage } from './errors';
import { formatLocal, formatUtc } from './time';

/** An instant in the viewer's zone; hovering shows it in UTC. */
export function Time({ value }: { value: string }) {
  return (
    <time dateTime={value} title={formatUtc(value)}>
      {formatLocal(value)}
    </time>
  );
}

/** Whether a page has been shown yet: the first one leaves the focus where the browser puts it (before the skip link). */
let navigated = false;

/**
 * The page's heading. After a navigation inside the app it takes the focus, so keyboard and
 * screen-reader users land on the new page rather than on a link that is gone.
 */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Hookline`;
    if (navigated) heading.current?.focus({ preventScroll: true });
    navigated = true;
  }, [title]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** An error in the API's own words (its code too, when it gave one). */
export function ErrorNotice({ error, title = 'The request failed' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const failure = error instanceof ApiFailure ? error : null;
  return (
    <div role="alert" className="notice notice-error">
      <strong>{title}</strong>
      {failure && failure.status > 0 ? <span className="muted"> (HTTP {failure.status}{failure.code ? `, ${failure.code}` : ''})</span> : null}
      <p>{errorMessage(error)}</p>
    </div>
  );
}

/** A problem the page found itself (a form filled wrongly, access that ended), for assistive technology too. */
export function Alert({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p role="alert" className="notice notice-error">
      {children}
    </p>
  );
}

/**
 * Where a read stands: loading, failed (in the API's words), or done with nothing to show
 * (`empty`, when `count` is 0).
 */
export function QueryStatus({ query, what, empty, count }: { query: { isPending: boolean; error: unknown }; what: string; empty?: ReactNode; count?: number }) {
  if (query.isPending) return <Loading what={what} />;
  if (query.error) return <ErrorNotice error={query.error} title={`Could not load ${what}`} />;
  return empty !== undefined && count === 0 ? <Empty>{empty}</Empty> : null;
}

function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="muted">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** Success feedback, announced to screen readers. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p role="status" className="notice notice-ok">
      {children}
    </p>
  );
}

/** A JSON value pretty-printed as text: whatever it holds is shown, never interpreted as markup. */
export function JsonText({ value, label }: { value: unknown; label: string }) {
  return (
    <pre className="code" tabIndex={0} role="region" aria-label={label}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** "Load more" while the listing has further pages. */
export function LoadMore({ list, what }: { list: { hasMore: boolean; isLoadingMore: boolean; loadMore: () => void }; what: string }) {
  if (!list.hasMore) return null;
  return (
    <button type="button" className="secondary" onClick={list.loadMore} disabled={list.isLoadingMore}>
      {list.isLoadingMore ? 'Loading…' : `Load more ${what}`}
    </button>
  );
}

/** One column of a DataTable: its header, and what it shows of each row (`false` leaves the column out). */
export type Column<Row> = { header: ReactNode; cell: (row: Row) => ReactNode; className?: string };

type DataTableProps<Row> = {
  label: string;
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  columns: ReadonlyArray<Column<Row> | false>;
  caption?: ReactNode;
  hiddenCaption?: boolean;
  className?: string;
};

/**
 * Rows under column headers, each column's header written beside its cell so the two cannot
 * drift apart. The table is a region named `label` that scrolls sideways on a narrow screen, by
 * keyboard too. `caption` shows a caption; `hiddenCaption` gives screen readers `label` as one.
 */
export function DataTable<Row>({ label, rows, rowKey, columns, caption, hiddenCaption = false, className }: DataTableProps<Row>) {
  const shown = columns.filter((column) => column !== false);
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      <table className={className}>
        {caption ? <caption>{caption}</caption> : hiddenCaption ? <caption className="visually-hidden">{label}</caption> : null}
        <thead>
          <tr>
            {shown.map((column, index) => (
              <th key={index} scope="col">
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {shown.map((column, index) => (
                <td key={index} className={column.className}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What a Field's control spreads onto itself: the id its label names, and the hint that describes it. */
export interface FieldControl {
  id: string;
  'aria-describedby'?: string;
}

/**
 * A form control with its label, and a hint below it that assistive technology reads with it.
 * The control is the children's to render, with `control` spread onto it.
 */
export function Field({ label, hint, className, children }: { label: ReactNode; hint?: ReactNode; className?: string; children: (control: FieldControl) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children(hint ? { id, 'aria-describedby': hintId } : { id })}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A text field that offers the given values as the viewer types, and takes any other too. */
export function SuggestingField({ label, value, onChange, suggestions }: { label: string; value: string; onChange: (value: string) => void; suggestions: readonly string[] }) {
  return (
    <Field label={label}>
      {(control) => (
        <>
          <input {...control} list={`${control.id}-suggestions`} value={value} onChange={(event) => onChange(event.target.value)} autoComplete="off" />
          <datalist id={`${control.id}-suggestions`}>
            {suggestions.map((suggestion) => (
              <option key={suggestion} value={suggestion} />
            ))}
          </datalist>
        </>
      )}
    </Field>
  );
}

/**
 * Names to pick from, each a checkbox with its own description if it has one; `hint` says what
 * picking none means. `status` shows while the names load or if they could not.
 */
export function CheckList({
  legend,
  hint,
  status,
  items,
  picked,
  onChange,
}: {
  legend: string;
  hint: string;
  status: ReactNode;
  items: ReadonlyArray<{ name: string; description?: string }>;
  picked: readonly string[];
  onChange: (picked: string[]) => void;
}) {
  return (
    <fieldset className="field">
      <legend>{legend}</legend>
      <p className="hint">{hint}</p>
      {status}
      <ul className="checklist">
        {items.map(({ name, description }) => (
          <li key={name}>
            <label>
              <input type="checkbox" checked={picked.includes(name)} onChange={(event) => onChange(event.target.checked ? [...picked, name] : picked.filter((other) => other !== name))} />
              <code>{name}</code>
              {description ? <span className="muted"> {description}</span> : null}
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

/** The end of a form: why its last submission failed, and its button, disabled while one is pending. */
export function SubmitRow({ label, failure, submission }: { label: ReactNode; failure: string; submission: { error: unknown; isPending: boolean } }) {
  return (
    <>
      <ErrorNotice error={submission.error} title={failure} />
      <div>
        <button type="submit" disabled={submission.isPending}>
          {label}
        </button>
      </div>
    </>
  );
}

/** A wall-clock time in the viewer's zone, to the second, with its label (`localInputToIso` reads the value). */
export function DateTimeField({ label, value, onChange, required = false }: { label: string; value: string; onChange: (value: string) => void; required?: boolean }) {
  return <Field label={label}>{(control) => <input {...control} type="datetime-local" step={1} value={value} onChange={(event) => onChange(event.target.value)} required={required} />}</Field>;
}

/** A value to read and copy (a secret, a key): a read-only field with its label. */
export function CopyableValue({ label, value }: { label: string; value: string }) {
  return <Field label={label}>{(control) => <input {...control} className="secret" readOnly value={value} spellCheck={false} onFocus={(event) => event.target.select()} />}</Field>;
}

export function Badge({ tone, children }: { tone: 'ok' | 'bad' | 'warn' | 'neutral'; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/**
 * A listing read page by page (usePaged) as a table: how its read stands, `empty` when it has no
 * row to show, the rows, and "Load more". `rows` narrows what is shown (a search over the rows loaded).
 */
export function PagedTable<Row>({
  list,
  what,
  empty,
  rows = list.rows,
  ...table
}: Omit<DataTableProps<Row>, 'rows'> & {
  list: { rows: readonly Row[]; isPending: boolean; error: unknown; hasMore: boolean; isLoadingMore: boolean; loadMore: () => void };
  what: string;
  empty: ReactNode;
  rows?: readonly Row[];
}) {
  return (
    <>
      <QueryStatus query={list} what={what} count={rows.length} empty={empty} />
      {rows.length > 0 ? <DataTable rows={rows} {...table} /> : null}
      <LoadMore list={list} what={what} />
    </>
  );
}

/**
 * An action that cannot be taken back, asked twice: `ask` opens the question, `confirm` acts
 * (and closes it), Cancel closes it.
 */
export function ConfirmedAction({
  ask,
  askLabel,
  question,
  confirm,
  onConfirm,
  pending,
  danger = false,
}: {
  ask: string;
  /** The ask button's accessible name where `ask` alone would not say what it acts on (a row of a table). */
  askLabel?: string;
  question: string;
  confirm: string;
  onConfirm: () => void;
  pending: boolean;
  danger?: boolean;
}) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="secondary" aria-label={askLabel} onClick={() => setConfirming(true)}>
        {ask}
      </button>
    );
  }
  return (
    <>
      <span>{question}</span>
      <button
        type="button"
        className={danger ? 'danger' : undefined}
        onClick={() => {
          setConfirming(false);
          onConfirm();
        }}
        disabled={pending}
      >
        {confirm}
      </button>
      <button type="button" className="secondary" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </>
  );
}
