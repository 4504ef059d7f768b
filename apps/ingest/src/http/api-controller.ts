import { applyDecorators, Controller, UseFilters, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import { AuthGuard } from '../auth/auth.guard.js';
import { ApiExceptionFilter } from './errors.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { TracingInterceptor } from './tracing.interceptor.js';
import { PathParamPipe } from './zod.pipe.js';

/** A controller of the REST API: bearer auth, a server span, Idempotency-Key replay, checked path parameters and Svix-shaped errors. */
export const ApiController = (path: string) =>
  applyDecorators(
    Controller(path),
    UseGuards(AuthGuard),
    UseInterceptors(TracingInterceptor, IdempotencyInterceptor),
    UsePipes(PathParamPipe),
    UseFilters(ApiExceptionFilter),
  );
