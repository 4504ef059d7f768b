import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApplicationsService } from '../applications/applications.service.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import type { ApiKeyIn, ApiKeyOut } from './api-keys.schemas.js';
import type { Principal } from './principal.js';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A revoked key stops working within this long: keys are cached by hash. */
const CACHE_MS = 30_000;

/** The bearer tokens: the admin token from configuration, and API keys each scoped to one application. */
@Injectable()
export class ApiKeysService {
  private readonly adminHash: Buffer;
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly keys: ApiKeysRepository,
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

  /** Who holds the token with this hash: the admin, an application, or no one (null). */
  async principalFor(hash: string): Promise<Principal | null> {
    if (timingSafeEqual(Buffer.from(hash, 'hex'), this.adminHash)) return { kind: 'admin' };
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const key = await this.keys.findActive(hash);
    const principal: Principal | null = key ? { kind: 'application', applicationId: key.applicationId } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: Date.now() + CACHE_MS });
    return principal;
  }
}
