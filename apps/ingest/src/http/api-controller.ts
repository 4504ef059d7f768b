import { applyDecorators, Controller, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { AuthGuard } from '../auth/auth.guard.js';
import { ApiExceptionFilter } from './errors.js';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor.js';
import { TracingInterceptor } from './tracing.interceptor.js';

/**
 * A controller of the REST API, whose handlers are each an @Operation (which gives the path):
 * bearer auth and access by the declaration, a server span, Idempotency-Key replay and Svix-shaped
 * errors. A resource's handlers come in the svix SDK's order for it (list, create, get, update,
 * delete, patch, then the rest), so the two read side by side.
 */
export const ApiController = () =>
  applyDecorators(Controller(), UseGuards(AuthGuard), UseInterceptors(TracingInterceptor, IdempotencyInterceptor), UseFilters(ApiExceptionFilter));
