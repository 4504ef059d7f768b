import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApplicationsService } from '../applications/applications.service.js';
import { AppPortalTokensRepository } from './app-portal/app-portal-tokens.repository.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import type { ApiKeyIn, ApiKeyOut } from './api-keys.schemas.js';
import type { Principal } from './principal.js';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * A revoked key stops working within this long: tokens are cached by hash. A portal session that
 * logs out or is expired is forgotten at once by the instance that ended it; other ingest
 * instances still take it for up to this long. An expired one is never taken.
 */
const CACHE_MS = 30_000;

/** The bearer tokens: the admin token from configuration, API keys and app-portal sessions, each scoped to one application. */
@Injectable()
export class ApiKeysService {
  private readonly adminHash: Buffer;
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly keys: ApiKeysRepository,
    private readonly portalSessions: AppPortalTokensRepository,
    private readonly applications: ApplicationsService,
  ) {
    this.adminHash = Buffer.from(hashToken(config.adminToken ?? ''), 'hex');
  }

  /** A new key for the application: shown once to its creator, stored only as its hash. */
  async create(principal: Principal, appId: string, body: ApiKeyIn): Promise<ApiKeyOut> {
    const application = await this.applications.resolve(principal, appId);
    const key = `hk_${randomBytes(32).toString('base64url')}`;
    const saved = await this.keys.insert({ applicationId: application.id, name: body.name, keyHash: hashToken(key) });
    return { id: saved.id, name: saved.name, key, createdAt: saved.createdAt.toISOString() };
  }

  /** Who holds the token with this hash: the admin, an application's key, a portal session, or no one (null). */
  async principalFor(hash: string): Promise<Principal | null> {
    if (timingSafeEqual(Buffer.from(hash, 'hex'), this.adminHash)) return { kind: 'admin' };
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const found = await this.lookUp(hash);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal: found.principal, until: Math.min(Date.now() + CACHE_MS, found.expiresAt) });
    return found.principal;
  }

  /** Forgets the cached tokens whose principal matches (a portal session that ended), so this instance refuses them at once. */
  forget(matches: (principal: Principal) => boolean): void {
    for (const [hash, { principal }] of this.cache) if (principal && matches(principal)) this.cache.delete(hash);
  }

  private async lookUp(hash: string): Promise<{ principal: Principal | null; expiresAt: number }> {
    const key = await this.keys.findActive(hash);
    if (key) return { principal: { kind: 'application', applicationId: key.applicationId }, expiresAt: Infinity };
    const session = await this.portalSessions.findActive(hash);
    if (!session) return { principal: null, expiresAt: Infinity };
    return { principal: { kind: 'portal', applicationId: session.applicationId, tokenHash: hash, featureFlags: session.featureFlags }, expiresAt: session.expiresAt.getTime() };
  }
}
