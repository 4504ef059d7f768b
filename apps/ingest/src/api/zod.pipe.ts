import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ValidationFailed } from './errors.js';

const LOCATION = { body: 'body', query: 'query', param: 'path', custom: 'body' } as const;

/** Validates a body, query or path parameter against a zod schema; failures name each field. */
@Injectable()
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.output<T> {
    const result = this.schema.safeParse(value ?? (metadata.type === 'body' ? undefined : {}));
    if (!result.success) throw ValidationFailed.fromZod(LOCATION[metadata.type], result.error);
    return result.data;
  }
}
