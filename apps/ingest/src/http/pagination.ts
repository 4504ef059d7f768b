import { type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import type { ListQuery } from './schemas.js';

/** A page in Svix's shape (the ListResponse*Out schemas, made by listOf). */
export interface ListResponse<T> {
  data: T[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}

/** The columns a listing is ordered by, and a row's values of them (the iterator joins them with ":"). */
export interface ListKey<E> {
  columns: string[];
  of: (row: E) => string[];
  /**
   * Whether the listing pages backward too: its keys never begin with "-", which marks the
   * iterator of the page before (ids do; names, such as event types', may).
   */
  backward: boolean;
}

/**
 * Svix-style cursor pagination over a unique key: time-ordered ids (UUIDv7) unless `key` names
 * other columns. The iterator is the key of the last row returned, and the next page starts
 * after it in the listing's order; the prevIterator is "-" and the key of the first row, and the
 * page it names ends just before that row (Svix's reversible iterator). The query schema has
 * checked the iterator's format (idIterator, or the listing's own), so each part is a valid value
 * of its column.
 */
export async function paginate<E extends ObjectLiteral>(
  query: SelectQueryBuilder<E>,
  key: string | ListKey<E>,
  options: Pick<ListQuery, 'limit' | 'iterator' | 'order'>,
  defaultOrder: 'ascending' | 'descending',
): Promise<ListResponse<E>> {
  const { columns, of, backward } = typeof key === 'string' ? { columns: [key], of: (row: E) => [(row as unknown as { id: string }).id], backward: true } : key;
  const before = backward && readsBackward(options);
  const cursor = before ? options.iterator!.slice(1) : options.iterator;
  // The page before is read walking the listing's order in reverse from the cursor, then turned round.
  const ascending = ((options.order ?? defaultOrder) === 'ascending') !== before;
  if (cursor) {
    const values = cursor.split(':');
    const names = columns.map((_, index) => `iterator${index}`);
    query.andWhere(`(${columns.join(', ')}) ${ascending ? '>' : '<'} (${names.map((name) => `:${name}`).join(', ')})`, Object.fromEntries(names.map((name, index) => [name, values[index]])));
  }
  query.orderBy(columns[0]!, ascending ? 'ASC' : 'DESC');
  for (const column of columns.slice(1)) query.addOrderBy(column, ascending ? 'ASC' : 'DESC');
  const rows = await query.limit(options.limit + 1).getMany();
  const page = rows.slice(0, options.limit);
  if (before) page.reverse();
  const [first, last] = [page.at(0), page.at(-1)];
  return {
    data: page,
    iterator: last ? of(last).join(':') : null,
    prevIterator: backward && first ? `-${of(first).join(':')}` : null,
    // Read backward, "done" says there is nothing further back.
    done: rows.length <= options.limit,
  };
}

/** Whether the query asks for the page before its iterator (Svix's "-" iterator). */
export const readsBackward = (query: Pick<ListQuery, 'iterator'>): boolean => query.iterator?.startsWith('-') === true;

/**
 * The page cut to the `keep` rows nearest its cursor: the first ones of a page read forward, the
 * last ones of a page read backward (its iterator began with "-"). A page that was cut is not the
 * last one: its iterator names the row it was cut after (or before).
 */
export function cutPage<E>(page: ListResponse<E>, keep: number, query: Pick<ListQuery, 'iterator'>, of: (row: E) => string[]): ListResponse<E> {
  if (keep >= page.data.length) return page;
  if (readsBackward(query)) {
    const data = page.data.slice(page.data.length - keep);
    return { ...page, data, prevIterator: `-${of(data[0]!).join(':')}`, done: false };
  }
  const data = page.data.slice(0, keep);
  return { ...page, data, iterator: of(data.at(-1)!).join(':'), done: false };
}

/** A page of rows as a page of answers. */
export const mapPage = <E, T>(page: ListResponse<E>, toOut: (row: E) => T): ListResponse<T> => ({ ...page, data: page.data.map(toOut) });

/** An empty last page, for a filter that can match nothing. */
export const emptyPage = <T>(): ListResponse<T> => ({ data: [], iterator: null, prevIterator: null, done: true });
