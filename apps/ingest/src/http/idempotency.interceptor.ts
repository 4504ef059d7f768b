import { IdempotencyKey } from '@hookline/database';
import { type CallHandler, type ExecutionContext, HttpStatus, Injectable, type NestInterceptor } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { catchError, from, type Observable, of, switchMap, throwError } from 'rxjs';
import { Repository } from 'typeorm';
import { confinedTo, type Principal } from '../auth/principal.js';
import { ApiError } from './errors.js';

/**
 * `Idempotency-Key` on a POST: the first request runs and its response is stored; a repeat
 * gets that response back instead of running again. A repeat that arrives while the first is
 * still running gets a 409; a key reused on another route, a 422. Failed requests (4xx/5xx)
 * release the key so the caller can fix and retry.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@InjectRepository(IdempotencyKey) private readonly keys: Repository<IdempotencyKey>) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || typeof key !== 'string' || !request.principal) return next.handle();
    if (key.length === 0 || key.length > 256) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 256 characters');
    }
    const scope = confinedTo(request.principal) ?? 'admin';
    const route = `${request.method} ${request.path}`;
    const response = context.switchToHttp().getResponse<Response>();

    return from(this.claim(scope, key, route)).pipe(
      switchMap((earlier) => {
        if (earlier) {
          response.status(earlier.statusCode);
          return of(earlier.body);
        }
        return next.handle().pipe(
          switchMap((body: unknown) => from(this.complete(scope, key, response.statusCode, body)).pipe(switchMap(() => of(body)))),
          catchError((error: unknown) => from(this.keys.delete({ scope, key })).pipe(switchMap(() => throwError(() => error)))),
        );
      }),
    );
  }

  /** Claims the key for this request, or returns the response of the request that holds it. */
  private async claim(scope: string, key: string, route: string): Promise<{ statusCode: number; body: unknown } | null> {
    const inserted = await this.keys.createQueryBuilder().insert().values({ scope, key, route }).orIgnore().returning(['key']).execute();
    if ((inserted.raw as unknown[]).length > 0) return null; // claimed: this request runs
    const existing = await this.keys.findOneByOrFail({ scope, key });
    if (existing.route !== route) {
      throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, 'idempotency_key_reused', `Idempotency-Key "${key}" was used for ${existing.route}`);
    }
    if (existing.statusCode === null) {
      throw new ApiError(HttpStatus.CONFLICT, 'idempotency_in_progress', `a request with Idempotency-Key "${key}" is still in progress`);
    }
    return { statusCode: existing.statusCode, body: existing.responseBody };
  }

  private async complete(scope: string, key: string, statusCode: number, body: unknown): Promise<void> {
    await this.keys.update({ scope, key }, { statusCode, responseBody: body as never });
  }
}
