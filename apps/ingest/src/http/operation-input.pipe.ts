import { NUL_MESSAGE, pathsWithNul } from '@hookline/contracts';
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ValidationFailed } from './errors.js';
import type { ApiOperation } from './operation.js';
import { documentParameter } from './path-parameters.js';

/**
 * Text holding U+0000 is refused with a 422 naming each field, before it can reach PostgreSQL,
 * whose text and jsonb cannot store it (a 500 otherwise). The document says the same: every
 * string it describes excludes U+0000 (openapi-document.ts).
 */
function rejectNul(where: 'body' | 'query' | 'path', value: unknown): void {
  const paths = pathsWithNul(value);
  if (paths.length > 0) throw new ValidationFailed(paths.map((path) => ({ loc: [where, ...path], msg: NUL_MESSAGE, type: 'nul_character' })));
}

function parse(where: 'body' | 'query', schema: z.ZodType, value: unknown): unknown {
  const result = schema.safeParse(value);
  if (!result.success) throw ValidationFailed.fromZod(where, result.error);
  // What was parsed is what the handler gets: unknown fields are gone, and are ignored.
  rejectNul(where, result.data);
  return result.data;
}

/**
 * Checks what a handler takes against its operation's declaration: the body and the query by
 * their zod schemas, each path parameter (an id, uid, eventId or event type name) for U+0000;
 * failures are a 422 naming each field. @Operation applies it, and makes sure every handler takes
 * its body, query and path parameters through it.
 */
export class OperationInputPipe implements PipeTransform<unknown, unknown> {
  constructor(private readonly operation: ApiOperation) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { body, query } = this.operation;
    if (metadata.type === 'body' && body) return parse('body', body, value ?? undefined);
    if (metadata.type === 'query' && query) return parse('query', query, value ?? {});
    if (metadata.type === 'param' && metadata.data) rejectNul('path', { [documentParameter(metadata.data)]: value });
    return value;
  }
}
