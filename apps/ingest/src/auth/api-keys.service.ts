import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApplicationsService } from '../applications/applications.service.js';
import { AppPortalTokensRepository } from './app-portal/app-portal-tokens.repository.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { notFound } from '../http/errors.js';
import { type ListResponse, mapPage } from '../http/pagination.js';
import type { ListQuery } from '../http/schemas.js';
import { type ApiKeyIn, type ApiKeyOut, type ApiKeySummaryOut, apiKeySummaryOut } from './api-keys.schemas.js';
import type { Principal } from './principal.js';
import { TokenRevocations } from './token-revocations.js';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * How long a token looked up is trusted without asking the database again. A revoked API key is
 * dropped at once by every ingest instance (TokenRevocations); while an instance cannot hear
 * revocations it looks every key up. A portal session that logs out or is expired is dropped at
 * once by the instance that ended it; another ingest instance goes on trusting it until its entry
 * expires, at most this long. An expired session is never taken.
 */
const CACHE_MS = 30_000;

/** The bearer tokens: the admin token from configuration, API keys and app-portal sessions, each scoped to one application. */
@Injectable()
export class ApiKeysService {
  private readonly adminHash: Buffer;
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly keys: ApiKeysRepository,
    private readonly portalSessions: AppPortalTokensRepository,
    private readonly applications: ApplicationsService,
    private readonly revocations: TokenRevocations,
  ) {
    this.adminHash = Buffer.from(hashToken(config.adminToken ?? ''), 'hex');
    revocations.onRevoked((keyHash) => this.cache.delete(keyHash));
  }

  /** A new key for the application: shown once to its creator, stored only as its hash. */
  async create(principal: Principal, appId: string, body: ApiKeyIn): Promise<ApiKeyOut> {
    const application = await this.applications.resolve(principal, appId);
    const key = `hk_${randomBytes(32).toString('base64url')}`;
    const saved = await this.keys.insert({ applicationId: application.id, name: body.name, keyHash: hashToken(key) });
    return { id: saved.id, name: saved.name, key, createdAt: saved.createdAt.toISOString() };
  }

  async list(principal: Principal, appId: string, query: ListQuery): Promise<ListResponse<ApiKeySummaryOut>> {
    const application = await this.applications.resolve(principal, appId);
    return mapPage(await this.keys.page(application.id, query), apiKeySummaryOut);
  }

  /** Revokes the key: refused at once by every ingest instance (TokenRevocations). */
  async revoke(principal: Principal, appId: string, keyId: string): Promise<void> {
    const application = await this.applications.resolve(principal, appId);
    const hash = await this.keys.revoke(application.id, keyId);
    if (hash === null) throw notFound('api key');
    this.cache.delete(hash);
  }

  /** Whether the token with this hash is answered from memory, without a database lookup. */
  isKnown(hash: string): boolean {
    if (timingSafeEqual(Buffer.from(hash, 'hex'), this.adminHash)) return true;
    const cached = this.cache.get(hash);
    return cached !== undefined && cached.until > Date.now();
  }

  /** Who holds the token with this hash: the admin, an application's key, a portal session, or no one (null). */
  async principalFor(hash: string): Promise<Principal | null> {
    if (timingSafeEqual(Buffer.from(hash, 'hex'), this.adminHash)) return { kind: 'admin' };
    const cached = this.cache.get(hash);
    // An application's key is taken from the cache only while revocations are heard.
    if (cached && cached.until > Date.now() && (cached.principal?.kind !== 'application' || this.revocations.listening)) return cached.principal;
    const found = await this.lookUp(hash);
    // Only tokens found are kept: unknown tokens, limited per address by the guard, would crowd them out.
    if (found.principal === null) return null;
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
