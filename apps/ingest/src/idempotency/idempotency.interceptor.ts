import type { IdempotencyKey } from '@hookline/database';
import { type EncryptedSecret, SecretBox } from '@hookline/signing';
import { type CallHandler, type ExecutionContext, HttpStatus, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { catchError, from, type Observable, of, switchMap, throwError } from 'rxjs';
import { confinedTo, type Principal } from '../auth/principal.js';
import { ApiError } from '../http/errors.js';
import { type ApiOperation, OPERATION } from '../http/operation.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';

/** Claims of a key that keeps being released by failing holders before this request gives up (409). */
const CLAIM_TRIES = 3;

/** A stored answer that holds a credential (ApiOperation.credential), as kept: sealed. */
interface SealedAnswer {
  sealed: EncryptedSecret;
}

/**
 * `Idempotency-Key` on a POST: the first request runs and its response is stored; a repeat
 * gets that response back instead of running again, for HOOKLINE_IDEMPOTENCY_KEY_TTL (24 h) after
 * the first use, after which the key runs anew (the rows themselves are deleted by retention). A
 * repeat that arrives while the first is still running gets a 409; a key reused on another route,
 * or with another request body (compared by SHA-256, as Stripe does), a 422. Failed requests
 * (4xx/5xx) release the key so the caller can fix and retry. An answer that holds a credential is
 * stored sealed with the secrets keyring, as endpoint secrets are.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly keys: IdempotencyKeysRepository,
    private readonly reflector: Reflector,
    private readonly box: SecretBox,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || typeof key !== 'string' || !request.principal) return next.handle();
    if (key.length === 0 || key.length > 256) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 256 characters');
    }
    const scope = confinedTo(request.principal) ?? 'admin';
    const route = `${request.method} ${request.path}`;
    // The body as parsed (the same JSON text gives the same hash), before validation changes it.
    const requestHash = createHash('sha256').update(JSON.stringify(request.body ?? null)).digest('hex');
    const response = context.switchToHttp().getResponse<Response>();
    const credential = this.reflector.get<ApiOperation | undefined>(OPERATION, context.getHandler())?.credential === true;

    return from(this.claim(scope, key, route, requestHash)).pipe(
      switchMap((earlier) => {
        if (earlier) {
          response.status(earlier.statusCode);
          return of(credential ? this.open(earlier.body) : earlier.body);
        }
        return next.handle().pipe(
          switchMap((body: unknown) => {
            const stored = credential ? { sealed: this.box.encrypt(JSON.stringify(body)) } : body;
            return from(this.keys.storeResponse({ scope, key, statusCode: response.statusCode, body: stored })).pipe(switchMap(() => of(body)));
          }),
          catchError((error: unknown) => from(this.keys.release(scope, key)).pipe(switchMap(() => throwError(() => error)))),
        );
      }),
    );
  }

  /** A sealed answer as it was sent; one whose key has left the keyring cannot be repeated (409). */
  private open(answer: unknown): unknown {
    // Stored before such answers were sealed (within HOOKLINE_IDEMPOTENCY_KEY_TTL of the upgrade): as it was kept.
    if (typeof answer !== 'object' || answer === null || !('sealed' in answer)) return answer;
    try {
      return JSON.parse(this.box.decrypt((answer as SealedAnswer).sealed));
    } catch {
      throw new ApiError(HttpStatus.CONFLICT, 'idempotency_answer_unavailable', 'the answer to this Idempotency-Key held a credential that can no longer be read (its secrets key was removed); send the request with a new key');
    }
  }

  /** Claims the key for this request, or returns the response of the request that holds it. */
  private async claim(scope: string, key: string, route: string, requestHash: string): Promise<{ statusCode: number; body: unknown } | null> {
    for (let tries = 0; tries < CLAIM_TRIES; tries++) {
      if (await this.keys.claim({ scope, key, route, requestHash })) return null; // claimed: this request runs
      const existing = await this.keys.find(scope, key);
      if (existing) return this.answerOf(existing, key, route, requestHash);
      // Its holder failed and released it between the claim and the read: the key is free again.
    }
    return this.inProgress(key);
  }

  /** What a request that found the key held gets: the stored answer, or why it gets none. */
  private answerOf(existing: IdempotencyKey, key: string, route: string, requestHash: string): { statusCode: number; body: unknown } {
    if (existing.route !== route) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'idempotency_key_reused', `Idempotency-Key "${key}" was used for ${existing.route}`);
    }
    if (existing.requestHash !== null && existing.requestHash !== requestHash) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'idempotency_key_reused', `Idempotency-Key "${key}" was used with a different request body`);
    }
    if (existing.statusCode === null) return this.inProgress(key);
    return { statusCode: existing.statusCode, body: existing.responseBody };
  }

  private inProgress(key: string): never {
    throw new ApiError(HttpStatus.CONFLICT, 'idempotency_in_progress', `a request with Idempotency-Key "${key}" is still in progress`);
  }
}
