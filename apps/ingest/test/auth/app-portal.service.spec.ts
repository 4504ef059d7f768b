import type { AppPortalToken, Application } from '@hookline/database';
import type { ApplicationsService } from '../../src/applications/applications.service.js';
import type { ApiKeysRepository } from '../../src/auth/api-keys.repository.js';
import { ApiKeysService, hashToken } from '../../src/auth/api-keys.service.js';
import type { AppPortalTokensRepository } from '../../src/auth/app-portal/app-portal-tokens.repository.js';
import { appPortalAccessIn } from '../../src/auth/app-portal/app-portal.schemas.js';
import { AppPortalService } from '../../src/auth/app-portal/app-portal.service.js';
import type { Principal } from '../../src/auth/principal.js';
import type { TokenRevocations } from '../../src/auth/token-revocations.js';
import { ingestConfig } from '../fakes.js';

const APP = '0190a000-0000-7000-8000-000000000001';
const admin: Principal = { kind: 'admin' };

/** The app_portal_tokens table in memory, with the repository's contract: an expired session is never found. */
class InMemoryPortalTokens {
  readonly rows: AppPortalToken[] = [];

  async insert(token: AppPortalToken): Promise<void> {
    this.rows.push(token);
  }

  async findActive(tokenHash: string): Promise<AppPortalToken | null> {
    return this.rows.find((row) => row.tokenHash === tokenHash && row.expiresAt.getTime() > Date.now()) ?? null;
  }

  async deleteByHash(tokenHash: string): Promise<void> {
    this.rows.splice(0, this.rows.length, ...this.rows.filter((row) => row.tokenHash !== tokenHash));
  }

  async expire(applicationId: string, sessionIds: string[] | undefined, at: Date | null): Promise<void> {
    const ends = (row: AppPortalToken) => row.applicationId === applicationId && (!sessionIds || (row.sessionId !== null && sessionIds.includes(row.sessionId)));
    if (at === null) this.rows.splice(0, this.rows.length, ...this.rows.filter((row) => !ends(row)));
    else for (const row of this.rows.filter(ends)) if (row.expiresAt > at) row.expiresAt = at;
  }
}

function portalService(env: Record<string, string> = {}) {
  const config = ingestConfig(env);
  const tokens = new InMemoryPortalTokens();
  const applications = {
    resolve: async (_principal: Principal, key: string) => ({ id: key === 'acme' ? APP : key }) as Application,
    resolveOrCreate: async (_principal: Principal, key: string) => ({ id: key === 'acme' ? APP : key }) as Application,
  } as unknown as ApplicationsService;
  const keys = new ApiKeysService(config, { findActive: async () => null } as unknown as ApiKeysRepository, tokens as unknown as AppPortalTokensRepository, applications, { listening: true, onRevoked: () => {} } as unknown as TokenRevocations);
  const portal = new AppPortalService(config, applications, tokens as unknown as AppPortalTokensRepository, keys);
  return { portal, keys, tokens, principalOf: (token: string) => keys.principalFor(hashToken(token)) };
}

describe('AppPortalService', () => {
  it("hands out a link to the portal with the token in its fragment, on HOOKLINE_PUBLIC_URL or else the request's origin", async () => {
    const { portal, tokens } = portalService({ HOOKLINE_PUBLIC_URL: 'https://hooks.example.com/hookline' });
    const { url, token } = await portal.access(admin, 'acme', { featureFlags: ['beta', 'beta'] }, 'http://10.0.0.5:8080');
    expect(token).toMatch(/^hk_portal_[A-Za-z0-9_-]{43}$/);
    const link = new URL(url);
    expect([link.origin, link.pathname, link.search]).toEqual(['https://hooks.example.com', '/hookline/portal/', '']);
    expect(Object.fromEntries(new URLSearchParams(link.hash.slice(1)))).toEqual({ app: APP, token });
    // Stored only as the token's hash, with the flags once each, for an hour by default.
    expect(tokens.rows).toEqual([expect.objectContaining({ applicationId: APP, tokenHash: hashToken(token), featureFlags: ['beta'], sessionId: null })]);
    expect(JSON.stringify(tokens.rows)).not.toContain(token);
    expect(tokens.rows[0]!.expiresAt.getTime() - Date.now()).toBeGreaterThan(3_590_000);
    const unset = portalService();
    expect((await unset.portal.access(admin, 'acme', undefined, 'http://10.0.0.5:8080')).url).toMatch(/^http:\/\/10\.0\.0\.5:8080\/portal\/#app=/);
  });

  it("makes the token a principal of the application's portal, until it logs out", async () => {
    const { portal, principalOf } = portalService();
    const { token } = await portal.access(admin, 'acme', { featureFlags: ['beta'], expiry: 7_200 }, 'http://h');
    const principal = await principalOf(token);
    expect(principal).toEqual({ kind: 'portal', applicationId: APP, tokenHash: hashToken(token), featureFlags: ['beta'] });
    await portal.logout(principal as Principal & { kind: 'portal' });
    expect(await principalOf(token)).toBeNull();
  });

  it('stops taking a token once it expires, though it was cached', async () => {
    const { portal, principalOf } = portalService({ HOOKLINE_PORTAL_TOKEN_TTL: '1s' });
    const { token } = await portal.access(admin, 'acme', undefined, 'http://h');
    expect(await principalOf(token)).toMatchObject({ kind: 'portal' });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await principalOf(token)).toBeNull();
  });

  it("expires the application's sessions, or those of some session ids, at once or later", async () => {
    const { portal, principalOf, tokens } = portalService();
    const [a, b, other] = [await portal.access(admin, 'acme', { sessionId: 'a' }, 'http://h'), await portal.access(admin, 'acme', { sessionId: 'b' }, 'http://h'), await portal.access(admin, 'other', {}, 'http://h')];
    for (const { token } of [a, b, other]) expect(await principalOf(token)).not.toBeNull();
    await portal.expireAll(admin, 'acme', { sessionIds: ['a'] });
    expect([await principalOf(a.token), await principalOf(b.token), await principalOf(other.token)].map((principal) => principal?.kind ?? null)).toEqual([null, 'portal', 'portal']);
    await portal.expireAll(admin, 'acme', { expiry: 60 });
    expect(tokens.rows.find((row) => row.tokenHash === hashToken(b.token))!.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60_000);
    await portal.expireAll(admin, 'acme', {});
    expect([await principalOf(b.token), await principalOf(other.token)].map((principal) => principal?.kind ?? null)).toEqual([null, 'portal']);
  });

  it('refuses a token narrower than the whole portal rather than give it more than was asked', () => {
    const problems = (body: unknown) => appPortalAccessIn.safeParse(body).error?.issues.map((issue) => issue.path.join('.')) ?? [];
    expect(problems({ readOnly: true })).toEqual(['readOnly']);
    expect(problems({ capabilities: ['ViewBase'] })).toEqual(['capabilities']);
    expect(problems({ readOnly: false, capabilities: ['ViewBase', 'ViewEndpointSecret', 'ManageEndpointSecret', 'ManageTransformations', 'CreateAttempts', 'ManageEndpoint'], expiry: 3_600 })).toEqual([]);
    expect(problems({ expiry: 60 })).toEqual(['expiry']);
  });
});
