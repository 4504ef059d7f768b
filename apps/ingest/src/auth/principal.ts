import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Who is calling: the operator with the admin token, or one application's API key. */
export type Principal = { kind: 'admin' } | { kind: 'application'; applicationId: string };

const TOKEN_HOLDER: Record<Principal['kind'], string> = { admin: 'the admin token', application: "an application's API key" };

/**
 * Who may call an operation (its `access`): anyone, any token, or the admin token alone; by the
 * kinds of principal each level admits. An application's key reaches only its own application
 * (ApplicationsService.resolve). A new kind of token, such as an app-portal token that reaches
 * only its own application, becomes a Principal kind listed in the levels that admit it; the
 * guard's 403 and the document's follow from this table.
 */
export const ACCESS = {
  public: null,
  token: ['admin', 'application'],
  admin: ['admin'],
} as const satisfies Record<string, ReadonlyArray<Principal['kind']> | null>;

export type Access = keyof typeof ACCESS;

/** Whether some token is refused at this level (a 403), so the document lists that answer. */
export function refusesSomeToken(access: Access): boolean {
  const admitted: ReadonlyArray<Principal['kind']> | null = ACCESS[access];
  return admitted !== null && Object.keys(TOKEN_HOLDER).some((kind) => !admitted.includes(kind as Principal['kind']));
}

/** Why a principal the level does not admit is refused. */
export function refusal(access: Access): string {
  return `this operation needs ${(ACCESS[access] ?? []).map((kind) => TOKEN_HOLDER[kind]).join(' or ')}`;
}

/** The caller the guard authenticated, as a handler parameter. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<Request & { principal: Principal }>().principal,
);
