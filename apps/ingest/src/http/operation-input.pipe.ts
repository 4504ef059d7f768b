import { storageProblems } from '@hookline/contracts';
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ValidationFailed } from './errors.js';
import type { ApiOperation } from './operation.js';
import { documentParameter } from './path-parameters.js';

/**
 * What PostgreSQL could not store (U+0000 or an unpaired surrogate in any string or key) or
 * Hookline could not serialize again (nesting deeper than MAX_JSON_DEPTH) is refused with a 422
 * naming each field, before it can reach a statement it would fail, with the rows of others
 * batched into it. The ingest topic refuses the same (storageProblems in @hookline/contracts);
 * the document says so in words (openapi-document.ts).
 */
function rejectUnstorable(where: 'body' | 'query' | 'path', value: unknown): void {
  const problems = storageProblems(value);
  if (problems.length > 0) throw new ValidationFailed(problems.map(({ path, message, type }) => ({ loc: [where, ...path], msg: message, type })));
}

/**
 * A query's `name[]=a&name[1]=b`, the way PHP and Rails clients send a list and the open-source
 * Svix server takes it, is `name=a&name=b`: one key holding the list.
 */
export function foldListKeys(query: Record<string, unknown>): Record<string, unknown> {
  // No prototype: a key the caller names `__proto__[]` or `toString[]` is only a key here.
  const folded: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(query)) {
    const listKey = /^([^[\]]+)\[\d*\]$/.exec(key)?.[1];
    const name = listKey ?? key;
    folded[name] = Object.hasOwn(folded, name) ? [folded[name], value].flat() : listKey ? [value].flat() : value;
  }
  return folded;
}

function parse(where: 'body' | 'query', schema: z.ZodType, value: unknown): unknown {
  const result = schema.safeParse(value);
  if (!result.success) throw ValidationFailed.fromZod(where, result.error);
  // What was parsed is what the handler gets: unknown fields are gone, and are ignored.
  rejectUnstorable(where, result.data);
  return result.data;
}

/**
 * Checks what a handler takes against its operation's declaration: the body and the query by
 * their zod schemas, then all of it (each path parameter too) for what could not be stored;
 * failures are a 422 naming each field. @Operation applies it, and makes sure every handler takes
 * its body, query and path parameters through it.
 */
export class OperationInputPipe implements PipeTransform<unknown, unknown> {
  constructor(private readonly operation: ApiOperation) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { body, query } = this.operation;
    if (metadata.type === 'body' && body) return parse('body', body, value ?? undefined);
    if (metadata.type === 'query' && query) return parse('query', query, foldListKeys((value ?? {}) as Record<string, unknown>));
    if (metadata.type === 'param' && metadata.data) rejectUnstorable('path', { [documentParameter(metadata.data)]: value });
    return value;
  }
}
