import { hooklineMetrics, SpanKind, SpanStatusCode, tracer } from '@hookline/telemetry';
import { type CallHandler, type ExecutionContext, HttpException, Injectable, type NestInterceptor } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';

/**
 * A server span per API request, the root of the trace of every message created through the
 * API and continued by the Kafka records it produces; and the request's duration metric.
 */
@Injectable()
export class TracingInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = execution.switchToHttp().getRequest<Request>();
    const response = execution.switchToHttp().getResponse<Response>();
    const route = `/${(request.route as { path?: string } | undefined)?.path?.replace(/^\//, '') ?? ''}`;
    const span = tracer().startSpan(`${request.method} ${route}`, {
      kind: SpanKind.SERVER,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_HTTP_ROUTE]: route, [ATTR_URL_PATH]: request.path, 'hookline.service': 'ingest' },
    });
    const spanContext = trace.setSpan(context.active(), span);
    const started = performance.now();
    const finish = (status: number) => {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      hooklineMetrics().httpServerDuration.record((performance.now() - started) / 1000, {
        [ATTR_HTTP_REQUEST_METHOD]: request.method,
        [ATTR_HTTP_ROUTE]: route,
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
      });
    };
    return new Observable((subscriber) =>
      context.with(spanContext, () =>
        next.handle().subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            finish(error instanceof HttpException ? error.getStatus() : 500);
            subscriber.error(error);
          },
          complete: () => {
            finish(response.statusCode);
            subscriber.complete();
          },
        }),
      ),
    );
  }
}
