import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { AppPortalToken } from '@hookline/database';
import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { ApplicationsService } from '../../applications/applications.service.js';
import { ApiKeysService, hashToken } from '../api-keys.service.js';
import type { Principal } from '../principal.js';
import { AppPortalTokensRepository } from './app-portal-tokens.repository.js';
import type { AppPortalAccessIn, AppPortalAccessOut, ApplicationTokenExpireIn } from './app-portal.schemas.js';

/**
 * Svix's app-portal access: a token the operator hands a customer, reaching one application, for
 * what the portal shows and does (auth/principal.ts, level `portal`), until it expires
 * (HOOKLINE_PORTAL_TOKEN_TTL, or the request's `expiry`), logs out, or the application's sessions
 * are expired. Tokens are stored only as their hash, like API keys.
 */
@Injectable()
export class AppPortalService {
  constructor(
    @Inject(HOOKLINE_CONFIG) private readonly config: HooklineConfig,
    private readonly applications: ApplicationsService,
    private readonly tokens: AppPortalTokensRepository,
    private readonly keys: ApiKeysService,
  ) {}

  /** A new portal session for the application (created along with it for the admin token, if `application` is given), and its link. */
  async access(principal: Principal, appId: string, body: AppPortalAccessIn, requestOrigin: string): Promise<AppPortalAccessOut> {
    const application = await this.applications.resolveOrCreate(principal, appId, body?.application);
    const token = `hk_portal_${randomBytes(32).toString('base64url')}`;
    const lifetimeMs = body?.expiry != null ? body.expiry * 1_000 : this.config.console.portalTokenTtlMs;
    await this.tokens.insert(
      Object.assign(new AppPortalToken(), {
        id: uuidv7(),
        applicationId: application.id,
        tokenHash: hashToken(token),
        featureFlags: [...new Set(body?.featureFlags ?? [])],
        sessionId: body?.sessionId ?? null,
        expiresAt: new Date(Date.now() + lifetimeMs),
      }),
    );
    // The token travels in the fragment, which no request line, Referer or log ever carries.
    const url = `${this.config.http.publicUrl ?? requestOrigin}/portal/#${new URLSearchParams({ app: application.id, token }).toString()}`;
    return { url, token };
  }

  /** Svix's logout: the portal token that calls it stops working. */
  async logout(principal: Principal & { kind: 'portal' }): Promise<void> {
    await this.tokens.deleteByHash(principal.tokenHash);
    this.keys.forget((cached) => cached.kind === 'portal' && cached.tokenHash === principal.tokenHash);
  }

  /** Svix's expire-all: the application's portal sessions (or those of some session ids) end now, or in `expiry` seconds. */
  async expireAll(principal: Principal, appId: string, body: ApplicationTokenExpireIn): Promise<void> {
    const application = await this.applications.resolve(principal, appId);
    const at = body?.expiry ? new Date(Date.now() + body.expiry * 1_000) : null;
    await this.tokens.expire(application.id, body?.sessionIds, at);
    this.keys.forget((cached) => cached.kind === 'portal' && cached.applicationId === application.id);
  }
}
