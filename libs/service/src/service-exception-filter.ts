import { type ArgumentsHost, Catch, type ExceptionFilter, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { type Observable, throwError } from 'rxjs';

/**
 * The one global exception filter of a service, for both of its contexts. An error of a Kafka
 * handler reaches the consumer transport as it was thrown, so that its retries log the real cause
 * (Nest's own RPC filter would log it once more and replace it with "Internal server error"; an
 * HTTP filter would fail on a response that is not there). An HTTP error goes to the API's filter,
 * or else to Nest's default.
 */
@Catch()
export class ServiceExceptionFilter extends BaseExceptionFilter {
  constructor(
    httpAdapter: HttpServer,
    private readonly http: ExceptionFilter | undefined,
  ) {
    super(httpAdapter);
  }

  override catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() === 'rpc') return throwError(() => exception);
    if (this.http) return void this.http.catch(exception, host);
    super.catch(exception, host);
  }
}
