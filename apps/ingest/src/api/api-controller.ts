import { applyDecorators, Controller, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { AuthGuard } from './auth.js';
import { ApiExceptionFilter } from './errors.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

/** A controller of the REST API: bearer auth, Idempotency-Key replay and Svix-shaped errors. */
export const ApiController = (path: string) =>
  applyDecorators(Controller(path), UseGuards(AuthGuard), UseInterceptors(IdempotencyInterceptor), UseFilters(ApiExceptionFilter));
