import { type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { ValidationFailed } from './errors.js';
import type { ListQuery } from './schemas.js';

export interface ListResponse<T> {
  data: T[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}

/**
 * Svix-style cursor pagination over time-ordered ids (UUIDv7): the iterator is the last id
 * returned, and the next page starts after it in the listing's order.
 */
export async function paginate<E extends ObjectLiteral, T>(
  query: SelectQueryBuilder<E>,
  idColumn: string,
  options: ListQuery,
  defaultOrder: 'ascending' | 'descending',
  toOut: (entity: E) => T,
): Promise<ListResponse<T>> {
  const order = options.order ?? defaultOrder;
  if (options.iterator) {
    if (!/^[0-9a-f-]{36}$/i.test(options.iterator)) {
      throw new ValidationFailed([{ loc: ['query', 'iterator'], msg: 'not an iterator returned by this API', type: 'invalid' }]);
    }
    query.andWhere(`${idColumn} ${order === 'ascending' ? '>' : '<'} :iterator`, { iterator: options.iterator });
  }
  const rows = await query
    .orderBy(idColumn, order === 'ascending' ? 'ASC' : 'DESC')
    .limit(options.limit + 1)
    .getMany();
  const page = rows.slice(0, options.limit);
  const last = page.at(-1) as { id?: string } | undefined;
  return {
    data: page.map(toOut),
    iterator: last?.id ?? null,
    prevIterator: null,
    done: rows.length <= options.limit,
  };
}
