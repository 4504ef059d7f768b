import { Body, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import { Operation, operationsByPath } from '../../src/http/operation.js';
import { foldListKeys, OperationInputPipe } from '../../src/http/operation-input.pipe.js';
import { patcher } from '../../src/http/patch.js';
import { answer } from '../../src/http/schemas.js';

const body = z.object({ name: z.string() });
const query = z.object({ limit: z.coerce.number() });
const Named = z.object({ name: z.string() });

describe('@Operation', () => {
  it('refuses, when the class is defined, a handler that would skip a declared check or take an undeclared input', () => {
    const define = (make: () => unknown) => {
      try {
        make();
        return 'defined';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(
      define(() => {
        class NoBody {
          @Operation({ method: 'post', path: '/api/v1/unit/a/{thing_id}', summary: 's', access: 'token', body, status: 201 })
          create(@Param('thingId') _id: string): void {}
        }
        return NoBody;
      }),
    ).toBe('NoBody.create (POST /api/v1/unit/a/{thing_id}) takes no @Body() though a body is declared');
    expect(
      define(() => {
        class WrongParameter {
          @Operation({ method: 'get', path: '/api/v1/unit/b/{thing_id}', summary: 's', access: 'token', query, status: 200 })
          list(@Param('id') _id: string, @Query() _query: unknown, @Body() _body: unknown): void {}
        }
        return WrongParameter;
      }),
    ).toBe('WrongParameter.list (GET /api/v1/unit/b/{thing_id}) takes a @Body() the declaration has no schema for; takes @Param(id) where /api/v1/unit/b/{thing_id} has thingId');
    expect(
      define(() => {
        class Twice {
          @Operation({ method: 'delete', path: '/api/v1/unit/c', summary: 's', access: 'admin', status: 204 })
          one(): void {}

          @Operation({ method: 'delete', path: '/api/v1/unit/c', summary: 's', access: 'admin', status: 204 })
          two(): void {}
        }
        return Twice;
      }),
    ).toBe('Twice.two: DELETE /api/v1/unit/c is declared twice');
  });

  it('lists a path where it was first declared, and its methods in one fixed order whatever order the handlers come in', () => {
    class Unordered {
      @Operation({ method: 'delete', path: '/api/v1/unit/d/{thing_id}', summary: 's', access: 'admin', status: 204 })
      remove(@Param('thingId') _id: string): void {}

      @Operation({ method: 'get', path: '/api/v1/unit/d', summary: 's', access: 'token', status: 200, response: Named })
      list() {
        return { name: 'x' };
      }

      @Operation({ method: 'get', path: '/api/v1/unit/d/{thing_id}', summary: 's', access: 'token', status: 200, response: Named })
      get(@Param('thingId') _id: string) {
        return { name: 'x' };
      }

      @Operation({ method: 'post', path: '/api/v1/unit/d', summary: 's', access: 'admin', body, status: 201, response: Named })
      create(@Body() created: z.infer<typeof body>) {
        return created;
      }
    }
    expect(Unordered).toBeDefined();
    const declared = operationsByPath().filter(({ path }) => path.startsWith('/api/v1/unit/d'));
    expect(declared.map(({ path, operations }) => [path, operations.map((operation) => operation.method)])).toEqual([
      ['/api/v1/unit/d/{thing_id}', ['get', 'delete']],
      ['/api/v1/unit/d', ['post', 'get']],
    ]);
  });

  it('makes a handler return what its response schema describes (checked by the compiler)', () => {
    class Typed {
      // @ts-expect-error: the handler returns a number, not the response schema's { name: string }
      @Operation({ method: 'get', path: '/api/v1/unit/e', summary: 's', access: 'token', status: 200, response: Named })
      wrong() {
        return 42;
      }
    }
    expect(Typed).toBeDefined();
  });
});

describe('patcher', () => {
  interface Row {
    name: string;
    rateLimit: number | null;
    tags: string[];
  }
  const patch = patcher<{ name?: string; throttleRate?: number | null; tags?: string[] | null }, Row>({
    name: 'name',
    throttleRate: 'rateLimit',
    tags: (row, tags) => {
      row.tags = tags ?? [];
    },
  });

  it('sets each field the body gives where the plan says, and leaves the absent ones alone', () => {
    const row: Row = { name: 'a', rateLimit: 5, tags: ['x'] };
    expect(patch(row, { throttleRate: null })).toEqual({ name: 'a', rateLimit: null, tags: ['x'] });
    expect(patch(row, { name: 'b', tags: null })).toEqual({ name: 'b', rateLimit: null, tags: [] });
  });
});

describe('answer', () => {
  const Out = z.object({ id: z.string(), throttleRate: z.number().nullable(), verifiedAt: z.string().nullable(), createdAt: z.string() });
  const toOut = answer(Out, (row: { id: string; rateLimit: number | null; verifiedAt: Date | null; createdAt: Date; secret: string }) => ({ throttleRate: row.rateLimit }));

  it("takes the schema's fields from the row by name, times as ISO strings, and only those fields", () => {
    const created = new Date('2026-01-01T00:00:00Z');
    expect(toOut({ id: 'a', rateLimit: 3, verifiedAt: null, createdAt: created, secret: 'never shown' })).toEqual({ id: 'a', throttleRate: 3, verifiedAt: null, createdAt: '2026-01-01T00:00:00.000Z' });
    expect(Object.keys(toOut({ id: 'a', rateLimit: null, verifiedAt: created, createdAt: created, secret: 's' }))).toEqual(['id', 'throttleRate', 'verifiedAt', 'createdAt']);
  });
});

describe('OperationInputPipe on a query', () => {
  const listQuery = z.object({ event_types: z.union([z.string(), z.array(z.string())]).optional(), limit: z.coerce.number().optional() });
  const pipe = new OperationInputPipe({ method: 'get', path: '/api/v1/unit/list', summary: 's', access: 'token', query: listQuery, status: 200 });
  const parsed = (value: Record<string, unknown>) => pipe.transform(value, { type: 'query' });

  it('takes a list sent as name[] or name[N] keys, as the open-source Svix server does, as one key holding it', () => {
    expect(parsed({ 'event_types[]': ['a', 'b'], limit: '5' })).toEqual({ event_types: ['a', 'b'], limit: 5 });
    expect(parsed({ 'event_types[0]': 'a', 'event_types[1]': 'b' })).toEqual({ event_types: ['a', 'b'] });
    expect(parsed({ event_types: 'a', 'event_types[]': 'b' })).toEqual({ event_types: ['a', 'b'] });
    expect(parsed({ event_types: 'a' })).toEqual({ event_types: 'a' });
  });

  it("folds a list key named after an object's built-in properties into a key like any other", () => {
    const query = Object.assign(Object.create(null) as Record<string, unknown>, { '__proto__[]': 'x', 'toString[0]': 'y' });
    const folded = foldListKeys(query);
    expect(Object.getPrototypeOf(folded)).toBeNull();
    expect([Object.keys(folded), folded['__proto__'], folded.toString]).toEqual([['__proto__', 'toString'], ['x'], ['y']]);
  });
});
