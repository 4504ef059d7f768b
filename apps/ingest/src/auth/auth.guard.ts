import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { type CanActivate, type ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiError } from '../http/errors.js';
import { type ApiOperation, OPERATION } from '../http/operation.js';
import { ApiKeysService, hashToken } from './api-keys.service.js';
import { ACCESS, type Principal, refusal } from './principal.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * Who may call each operation, as its declaration's `access` says (auth/principal.ts): bearer
 * authentication for every operation that is not public, then the principal's kind against the
 * level (a 403). Each token (every API key, and the admin token) is held to
 * HOOKLINE_API_RATE_LIMIT requests per second, with bursts of twice that, per ingest instance: a
 * 429 with Retry-After beyond it. A route without a declaration is refused outright.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly limiter: RateLimiter;

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly tokens: ApiKeysService,
    private readonly reflector: Reflector,
  ) {
    this.limiter = new RateLimiter(config.api.rateLimitPerSecond);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const operation = this.reflector.get<ApiOperation | undefined>(OPERATION, context.getHandler());
    if (!operation) throw new Error(`${context.getClass().name}.${context.getHandler().name} is guarded but declares no @Operation`);
    const admitted: ReadonlyArray<Principal['kind']> | null = ACCESS[operation.access];
    if (admitted === null) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new ApiError(HttpStatus.UNAUTHORIZED, 'authentication_failed', 'missing "Authorization: Bearer <token>" header');
    const hash = hashToken(match[1]!);
    const principal = await this.tokens.principalFor(hash);
    if (!principal) throw new ApiError(HttpStatus.UNAUTHORIZED, 'authentication_failed', 'invalid token');
    const waitMs = this.limiter.take(hash);
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(seconds));
      throw new ApiError(
        HttpStatus.TOO_MANY_REQUESTS,
        'rate_limit_exceeded',
        `more than ${this.limiter.perSecond} requests per second (bursts of ${this.limiter.burst}) with this token; retry after ${seconds} s`,
      );
    }
    if (!admitted.includes(principal.kind)) throw new ApiError(HttpStatus.FORBIDDEN, 'forbidden', refusal(operation.access));
    request.principal = principal;
    return true;
  }
}
