import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * Who is calling: the operator with the admin token, one application's API key, or an app-portal
 * token (POST /api/v1/auth/app-portal-access/{app_id}) that the operator gave a customer: it
 * reaches one application, for the operations of the portal, until it expires or logs out.
 */
export type Principal =
  | { kind: 'admin' }
  | { kind: 'application'; applicationId: string }
  | { kind: 'portal'; applicationId: string; tokenHash: string; featureFlags: readonly string[] };

const TOKEN_HOLDER: Record<Principal['kind'], string> = { admin: 'the admin token', application: "an application's API key", portal: 'an app-portal token' };

/**
 * Who may call an operation (its `access`): anyone, by the kinds of principal each level admits.
 * A principal of one application reaches only that one (ApplicationsService.resolve). App-portal
 * tokens are admitted only where a level says so: `portal` for what the portal shows and does
 * (an operation declared `token` refuses them, so a new route is closed to them until it opts in),
 * and `portalToken` for what only such a token may do (log itself out).
 */
export const ACCESS = {
  public: null,
  portal: ['admin', 'application', 'portal'],
  token: ['admin', 'application'],
  admin: ['admin'],
  portalToken: ['portal'],
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

/** The application a principal is confined to, or null for the admin token, which reaches all. */
export const confinedTo = (principal: Principal): string | null => (principal.kind === 'admin' ? null : principal.applicationId);

/** The caller the guard authenticated, as a handler parameter. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<Request & { principal: Principal }>().principal,
);
