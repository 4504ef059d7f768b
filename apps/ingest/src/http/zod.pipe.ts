import { NUL_MESSAGE, pathsWithNul } from '@hookline/contracts';
import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ValidationFailed } from './errors.js';
import { PATH_PARAMETERS } from '../api/routes.js';

const LOCATION = { body: 'body', query: 'query', param: 'path', custom: 'body' } as const;

/**
 * Text holding U+0000 is refused with a 422 naming each field, before it can reach PostgreSQL,
 * whose text and jsonb cannot store it (a 500 otherwise). The document says the same: every
 * string it describes excludes U+0000 (openapi.ts).
 */
function rejectNul(where: 'body' | 'query' | 'path', value: unknown): void {
  const paths = pathsWithNul(value);
  if (paths.length > 0) throw new ValidationFailed(paths.map((path) => ({ loc: [where, ...path], msg: NUL_MESSAGE, type: 'nul_character' })));
}

/** Validates a body, query or path parameter against a zod schema; failures name each field. */
@Injectable()
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.output<T> {
    const where = LOCATION[metadata.type];
    const result = this.schema.safeParse(value ?? (metadata.type === 'body' ? undefined : {}));
    if (!result.success) throw ValidationFailed.fromZod(where, result.error);
    // What was parsed is what the handler gets: unknown fields are gone, and are ignored.
    rejectNul(where, result.data);
    return result.data;
  }
}

/** Every path parameter of the API (an id, uid, eventId or event type name), under its name in the document. */
@Injectable()
export class PathParamPipe implements PipeTransform<unknown, unknown> {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'param' && metadata.data) rejectNul('path', { [PATH_PARAMETERS[metadata.data] ?? metadata.data]: value });
    return value;
  }
}
