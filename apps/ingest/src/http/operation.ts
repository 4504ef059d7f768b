import { applyDecorators, HttpCode, RequestMapping, RequestMethod, SetMetadata, UsePipes } from '@nestjs/common';
// Nest's own record of a handler's parameters, read once at startup to check them against the declaration.
import { ROUTE_ARGS_METADATA, RouteParamtypes } from '@nestjs/common/internal';
import type { z } from 'zod';
import type { Access } from '../auth/principal.js';
import { OperationInputPipe } from './operation-input.pipe.js';
import { pathParameters, routeParameter, routePath } from './path-parameters.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One operation of the API: everything the route, the OpenAPI document and the guard need. */
export interface ApiOperation {
  method: Method;
  /** The path in the document, its parameters named as in Svix's API (`{app_id}`). */
  path: `/api/v1/${string}`;
  summary: string;
  /** Who may call it (auth/principal.ts). */
  access: Access;
  /** Validates the request body (a 422 naming each bad field) and is the document's requestBody. */
  body?: z.ZodType;
  /** Validates the query string; each property is a documented query parameter. */
  query?: z.ZodObject;
  /** Status of a successful answer. */
  status: number;
  /** Schema of a successful answer's body (none for a 204), registered by name in http/schemas.ts. */
  response?: z.ZodType;
}

/** Metadata key of a handler's declaration, which the guard reads. */
export const OPERATION = Symbol('operation');

const declared: ApiOperation[] = [];

/**
 * Every operation of /api/v1, in the order their controllers were loaded: the OpenAPI document
 * (openapi/openapi-document.ts) and the 405 answers (method-not-allowed.middleware.ts) are built
 * from it, and test/integration/openapi.int.spec.ts checks it against the routes Nest serves.
 *
 * To add a route: write the handler in its resource's controller (one line calling the
 * service) under `@Operation({ method, path, summary, access, body?, query?, status, response? })`,
 * taking @Body() when there is a body, @Query() when there is a query, and @Param() for each path
 * parameter; a response schema goes in the resource's schemas file, named with `named(...)`. The
 * route, its validation, who may call it, the document and the 405s follow. A new controller is
 * also listed in ingest.module.ts.
 */
export const OPERATIONS: readonly ApiOperation[] = declared;

/** What the handler must return: the response schema's output, or nothing for a 204. */
type AnswerOf<O extends ApiOperation> = O extends { response: infer R extends z.ZodType } ? z.output<R> : void;

/**
 * Declares a handler as an operation of the API: Nest's route for its method and path, its
 * success status, the check of its input against the declared schemas (OperationInputPipe), the
 * access the guard enforces, and its entry in OPERATIONS. A handler that does not take the
 * declared body, query or path parameters (so would skip their checks), or that returns another
 * type than the response schema's, does not start, or does not compile.
 */
export function Operation<const O extends ApiOperation>(operation: O) {
  return <H extends (...args: never[]) => Promise<AnswerOf<O>> | AnswerOf<O>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<H>): void => {
    const handler = `${target.constructor.name}.${String(key)}`;
    if (declared.some(({ method, path }) => method === operation.method && path === operation.path)) {
      throw new Error(`${handler}: ${operation.method.toUpperCase()} ${operation.path} is declared twice`);
    }
    // Parameter decorators have run by now: they are applied before the method's.
    checkParameters(operation, handler, Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key) ?? {});
    declared.push(operation);
    applyDecorators(
      RequestMapping({ method: RequestMethod[operation.method.toUpperCase() as Uppercase<Method>], path: routePath(operation.path) }),
      HttpCode(operation.status),
      SetMetadata(OPERATION, operation),
      UsePipes(new OperationInputPipe(operation)),
    )(target, key, descriptor);
  };
}

/** The handler takes exactly what the declaration validates: the body, the query, every path parameter. */
function checkParameters(operation: ApiOperation, handler: string, parameters: Record<string, { data?: unknown }>): void {
  const taken = (type: RouteParamtypes) => Object.entries(parameters).filter(([key]) => key.split(':')[0] === String(type));
  const problems: string[] = [];
  if (taken(RouteParamtypes.BODY).length !== (operation.body ? 1 : 0)) problems.push(operation.body ? 'takes no @Body() though a body is declared' : 'takes a @Body() the declaration has no schema for');
  if (taken(RouteParamtypes.QUERY).length !== (operation.query ? 1 : 0)) problems.push(operation.query ? 'takes no @Query() though a query is declared' : 'takes a @Query() the declaration has no schema for');
  const expected = pathParameters(operation.path).map(routeParameter).sort();
  const actual = taken(RouteParamtypes.PARAM).map(([, { data }]) => String(data)).sort();
  if (expected.join() !== actual.join()) problems.push(`takes @Param(${actual.join(', ')}) where ${operation.path} has ${expected.join(', ') || 'none'}`);
  if (problems.length > 0) throw new Error(`${handler} (${operation.method.toUpperCase()} ${operation.path}) ${problems.join('; ')}`);
}
