import { applyDecorators, HttpCode, RequestMapping, RequestMethod, SetMetadata, UseInterceptors, UsePipes } from '@nestjs/common';
// Nest's own record of a handler's parameters, read once at startup to check them against the declaration.
import { ROUTE_ARGS_METADATA, RouteParamtypes } from '@nestjs/common/internal';
import type { z } from 'zod';
import type { Access } from '../auth/principal.js';
import { OperationInputPipe } from './operation-input.pipe.js';
import { pathParameters, routeParameter, routePath } from './path-parameters.js';
import { type Upserted, UpsertStatusInterceptor } from './upsert.js';

/** The methods an operation may have, in the order the document and an Allow header list a path's. */
const METHODS = ['post', 'get', 'put', 'patch', 'delete'] as const;
export type Method = (typeof METHODS)[number];

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
  /**
   * Creates what it does not find, as Svix's PUTs and `POST /app?get_if_exists=true` do: the
   * handler answers an Upserted, and the status is 201 when it created the resource, 200 when
   * it found one.
   */
  upsert?: true;
  /** Schema of a successful answer's body (none for a 204), registered by name in http/schemas.ts. */
  response?: z.ZodType;
  /** Served only because Svix still serves it (old clients call it); the document marks it deprecated. */
  deprecated?: true;
  /**
   * Its answer holds a credential shown once (an API key, a portal token): the copy an
   * Idempotency-Key keeps for a repeat is sealed with the secrets keyring, never stored as text.
   */
  credential?: true;
}

/** Metadata key of a handler's declaration, which the guard reads. */
export const OPERATION = Symbol('operation');

/**
 * The registry: every operation of /api/v1, in the order their controllers were loaded. The
 * OpenAPI document (openapi/openapi-document.ts) and the 405 answers (method-not-allowed.middleware.ts)
 * are built from it, and test/integration/openapi.int.spec.ts checks it against the routes Nest serves.
 *
 * To add a route: in its resource's controller, a handler of one line that calls the service,
 * under `@Operation({ method, path, summary, access, body?, query?, status, response? })`; it
 * takes @Body() if there is a body, @Query() if there is a query, @Param() for each path parameter
 * (camelCase), and @CurrentPrincipal() if the service needs the caller. Schemas go in the
 * resource's schemas file, a response schema registered with `named(...)`. Nest's route, the input
 * checks, who may call it, the document and the 405s all follow from the declaration; a new
 * controller is also listed in ingest.module.ts.
 */
const declared: ApiOperation[] = [];

/**
 * The declared operations by path: paths in the order they were first declared, each path's
 * operations in the order of METHODS, whatever order a controller lists its handlers in.
 */
export function operationsByPath(): Array<{ path: string; operations: ApiOperation[] }> {
  return [...new Set(declared.map(({ path }) => path))].map((path) => ({
    path,
    operations: declared.filter((operation) => operation.path === path).sort((a, b) => METHODS.indexOf(a.method) - METHODS.indexOf(b.method)),
  }));
}

/** What the handler must return: the response schema's output (an upsert's, with whether it created it), or nothing for a 204. */
type AnswerOf<O extends ApiOperation> = O extends { response: infer R extends z.ZodType } ? (O extends { upsert: true } ? Upserted<z.output<R>> : z.output<R>) : void;

/**
 * Declares a handler as an operation of the API: Nest's route for its method and path, its
 * success status, the check of its input against the declared schemas (OperationInputPipe), the
 * access the guard enforces, and its entry in the registry. A handler that does not take the
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
      ...(operation.upsert ? [UseInterceptors(UpsertStatusInterceptor)] : []),
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
