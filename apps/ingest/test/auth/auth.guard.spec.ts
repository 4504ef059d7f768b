import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type ApiKeysService, hashToken } from '../../src/auth/api-keys.service.js';
import { AuthGuard } from '../../src/auth/auth.guard.js';
import type { Access, Principal } from '../../src/auth/principal.js';
import { type ApiOperation, OPERATION } from '../../src/http/operation.js';
import { answerOf, ingestConfig } from '../fakes.js';

/** What the guard sees of a request to a handler with this declaration (none: an undeclared route). */
function request(access: Access | null, authorization?: string, ip = '203.0.113.7') {
  const handler = () => undefined;
  if (access) Reflect.defineMetadata(OPERATION, { method: 'get', path: '/api/v1/unit', summary: 's', access, status: 200 } satisfies ApiOperation, handler);
  const http = { headers: authorization ? { authorization } : {}, ip, principal: undefined as Principal | undefined };
  const context = {
    getHandler: () => handler,
    getClass: () => class Unit {},
    switchToHttp: () => ({ getRequest: () => http, getResponse: () => ({ setHeader: () => {} }) }),
  } as unknown as ExecutionContext;
  return { context, http };
}

describe('AuthGuard', () => {
  let lookups = 0;
  const tokens = {
    isKnown: (hash: string) => hash === hashToken('admin-token'),
    principalFor: async (hash: string): Promise<Principal | null> => {
      if (hash === hashToken('admin-token')) return { kind: 'admin' };
      lookups++;
      if (hash === hashToken('app-key')) return { kind: 'application', applicationId: 'app-1' };
      if (hash === hashToken('portal-token')) return { kind: 'portal', applicationId: 'app-1', tokenHash: hash, featureFlags: [] };
      return null;
    },
  };
  const guard = new AuthGuard(ingestConfig({ HOOKLINE_API_RATE_LIMIT: '0' }), tokens as unknown as ApiKeysService, new Reflector());

  it('lets anyone call a public operation, and no one without a token call another', async () => {
    expect(await guard.canActivate(request('public').context)).toBe(true);
    expect(await answerOf(guard.canActivate(request('token').context))).toEqual({
      status: 401,
      body: { code: 'authentication_failed', detail: 'missing "Authorization: Bearer <token>" header' },
    });
    expect(await answerOf(guard.canActivate(request('token', 'Bearer wrong').context))).toEqual({ status: 401, body: { code: 'authentication_failed', detail: 'invalid token' } });
  });

  it("refuses an application's key an admin-only operation with 403, and lets it and the admin token call the others", async () => {
    expect(await answerOf(guard.canActivate(request('admin', 'Bearer app-key').context))).toEqual({ status: 403, body: { code: 'forbidden', detail: 'this operation needs the admin token' } });
    const byKey = request('token', 'Bearer app-key');
    expect(await guard.canActivate(byKey.context)).toBe(true);
    expect(byKey.http.principal).toEqual({ kind: 'application', applicationId: 'app-1' });
    const byAdmin = request('admin', 'Bearer admin-token');
    expect(await guard.canActivate(byAdmin.context)).toBe(true);
    expect(byAdmin.http.principal).toEqual({ kind: 'admin' });
  });

  it('answers 429 to an address whose invalid tokens exceed HOOKLINE_API_INVALID_TOKEN_RATE_LIMIT, before looking the next one up', async () => {
    const limited = new AuthGuard(ingestConfig({ HOOKLINE_API_RATE_LIMIT: '0', HOOKLINE_API_INVALID_TOKEN_RATE_LIMIT: '2' }), tokens as unknown as ApiKeysService, new Reflector());
    lookups = 0;
    // A burst of twice the rate: four lookups that find nothing, then refusals that look nothing up.
    for (let n = 0; n < 4; n++) expect((await answerOf(limited.canActivate(request('token', `Bearer guess-${n}`).context))).status).toBe(401);
    expect(lookups).toBe(4);
    const refused = await answerOf(limited.canActivate(request('token', 'Bearer guess-5').context));
    expect(refused).toEqual({ status: 429, body: { code: 'rate_limit_exceeded', detail: 'more than 2 invalid tokens per second (bursts of 4) from this address; retry after 1 s' } });
    expect(lookups).toBe(4);
    // Another address is not held back; nor is a token this instance knows, from the limited one.
    expect((await answerOf(limited.canActivate(request('token', 'Bearer guess-6', '198.51.100.1').context))).status).toBe(401);
    expect(await limited.canActivate(request('admin', 'Bearer admin-token').context)).toBe(true);
  });

  it('refuses a route that declares no operation, whatever the token', async () => {
    await expect(guard.canActivate(request(null, 'Bearer admin-token').context)).rejects.toThrow('Unit.handler is guarded but declares no @Operation');
  });

  it('admits an app-portal token only where a level names it: the portal operations and its own logout', async () => {
    const byPortal = request('portal', 'Bearer portal-token');
    expect(await guard.canActivate(byPortal.context)).toBe(true);
    expect(byPortal.http.principal).toMatchObject({ kind: 'portal', applicationId: 'app-1' });
    expect(await guard.canActivate(request('portalToken', 'Bearer portal-token').context)).toBe(true);
    expect(await answerOf(guard.canActivate(request('token', 'Bearer portal-token').context))).toEqual({
      status: 403,
      body: { code: 'forbidden', detail: "this operation needs the admin token or an application's API key" },
    });
    expect(await answerOf(guard.canActivate(request('admin', 'Bearer portal-token').context))).toMatchObject({ status: 403 });
    expect(await answerOf(guard.canActivate(request('portalToken', 'Bearer app-key').context))).toEqual({ status: 403, body: { code: 'forbidden', detail: 'this operation needs an app-portal token' } });
  });
});
