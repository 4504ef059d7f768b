import type { FindOptionsWhere, ObjectLiteral, Repository } from 'typeorm';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether the text can be a row id (a UUID), and so be looked up as one. */
export const isUuid = (text: string): boolean => UUID.test(text);

/**
 * Finds a row named by its id or by its caller-chosen alias (uid, eventId), within a scope.
 * The id always wins: an alias may be set to the text of another row's id, and must not shadow it.
 */
export async function findByIdOrAlias<E extends ObjectLiteral & { id: string }>(
  repository: Repository<E>,
  idOrAlias: string,
  alias: keyof E & string,
  scope: FindOptionsWhere<E> = {},
): Promise<E | null> {
  const byId = isUuid(idOrAlias) ? await repository.findOneBy({ ...scope, id: idOrAlias } as FindOptionsWhere<E>) : null;
  return byId ?? repository.findOneBy({ ...scope, [alias]: idOrAlias } as FindOptionsWhere<E>);
}
