import { type CallHandler, type ExecutionContext, HttpStatus, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';

/** What an operation that creates what it does not find answers: the resource, and whether it was created. */
export interface Upserted<T> {
  created: boolean;
  resource: T;
}

/** An upsert operation's status (201 created, 200 found) and body (the resource); see ApiOperation.upsert. */
@Injectable()
export class UpsertStatusInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler<Upserted<unknown>>): Observable<unknown> {
    return next.handle().pipe(
      map(({ created, resource }) => {
        context.switchToHttp().getResponse<Response>().status(created ? HttpStatus.CREATED : HttpStatus.OK);
        return resource;
      }),
    );
  }
}
