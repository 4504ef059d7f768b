import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { type CanActivate, type ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiError } from '../http/errors.js';
import { type ApiOperation, OPERATION } from '../http/operation.js';
import { ApiKeysService, hashToken } from './api-keys.service.js';
import { ACCESS, type Principal, refusal } from './principal.js';
import { RateLimiter } from './rate-limiter.js';

/** A bearer Authorization header; the token is the first group. */
export const BEARER = /^Bearer\s+(\S+)$/i;
export const MISSING_TOKEN = 'missing "Authorization: Bearer <token>" header';

/**
 * Who may call each operation, as its declaration's `access` says (auth/principal.ts): bearer
 * authentication for every operation that is not public, then the principal's kind against the
 * level (a 403). Each token (every API key, and the admin token) is held to
 * HOOKLINE_API_RATE_LIMIT requests per second, with bursts of twice that, per ingest instance: a
 * 429 with Retry-After beyond it. Tokens this instance does not know are looked up in the
 * database; a client address whose lookups found nothing HOOKLINE_API_INVALID_TOKEN_RATE_LIMIT
 * times a second (bursts of twice that) gets a 429 before any further lookup, so guessing keys
 * costs the database a bounded rate. A route without a declaration is refused outright.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly limiter: RateLimiter;
  /** Per client address: lookups that found no key. */
  private readonly failedLookups: RateLimiter;

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly tokens: ApiKeysService,
    private readonly reflector: Reflector,
  ) {
    this.limiter = new RateLimiter(config.api.rateLimitPerSecond);
    this.failedLookups = new RateLimiter(config.api.invalidTokenRateLimitPerSecond);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const operation = this.reflector.get<ApiOperation | undefined>(OPERATION, context.getHandler());
    if (!operation) throw new Error(`${context.getClass().name}.${context.getHandler().name} is guarded but declares no @Operation`);
    const admitted: ReadonlyArray<Principal['kind']> | null = ACCESS[operation.access];
    if (admitted === null) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) throw new ApiError(HttpStatus.UNAUTHORIZED, 'authentication_failed', MISSING_TOKEN);
    const hash = hashToken(match[1]!);
    const address = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    if (!this.tokens.isKnown(hash)) {
      const waitMs = this.failedLookups.wait(address);
      if (waitMs > 0) {
        throw this.tooMany(context, waitMs, `more than ${this.failedLookups.perSecond} invalid tokens per second (bursts of ${this.failedLookups.burst}) from this address`);
      }
    }
    const principal = await this.tokens.principalFor(hash);
    if (!principal) {
      this.failedLookups.take(address);
      throw new ApiError(HttpStatus.UNAUTHORIZED, 'authentication_failed', 'invalid token');
    }
    const waitMs = this.limiter.take(hash);
    if (waitMs > 0) throw this.tooMany(context, waitMs, `more than ${this.limiter.perSecond} requests per second (bursts of ${this.limiter.burst}) with this token`);
    if (!admitted.includes(principal.kind)) throw new ApiError(HttpStatus.FORBIDDEN, 'forbidden', refusal(operation.access));
    request.principal = principal;
    return true;
  }

  /** A 429 with Retry-After, in whole seconds. */
  private tooMany(context: ExecutionContext, waitMs: number, what: string): ApiError {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(seconds));
    return new ApiError(HttpStatus.TOO_MANY_REQUESTS, 'rate_limit_exceeded', `${what}; retry after ${seconds} s`);
  }
}
