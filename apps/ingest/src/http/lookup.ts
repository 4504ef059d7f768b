import type { FindOptionsWhere, ObjectLiteral, Repository } from 'typeorm';
import { UUID_TEXT } from './schemas.js';

/** Whether the text can be a row id (a UUID, in either case), and so be looked up as one. */
export const isUuid = (text: string): boolean => UUID_TEXT.test(text);

/** The id the text names, as the database writes it (lower case), if it is a UUID; else null. */
export const asId = (text: string): string | null => (isUuid(text) ? text.toLowerCase() : null);

/**
 * Finds a row named by its id or by its caller-chosen alias (uid, eventId), within a scope.
 * The id always wins, in whatever case it is written: an alias that looks like another row's id
 * must not shadow it (uids may not look like ids at all, but eventIds may).
 */
export async function findByIdOrAlias<E extends ObjectLiteral & { id: string }>(
  repository: Repository<E>,
  idOrAlias: string,
  alias: keyof E & string,
  scope: FindOptionsWhere<E> = {},
): Promise<E | null> {
  const id = asId(idOrAlias);
  const byId = id ? await repository.findOneBy({ ...scope, id } as FindOptionsWhere<E>) : null;
  return byId ?? repository.findOneBy({ ...scope, [alias]: idOrAlias } as FindOptionsWhere<E>);
}
