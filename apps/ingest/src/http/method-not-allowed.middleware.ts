import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { methodsAt } from '../api/routes.js';

/**
 * A method that a documented path does not have gets a 405 with an `Allow` header listing those
 * it has, and OPTIONS gets that list; both from the route table the document is built from. Runs
 * before authentication: which methods a path has is no secret. Other paths go on to the router.
 */
@Injectable()
export class MethodNotAllowedMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    // Mounted with use(), so request.path has lost the mount path: the original URL has it all.
    const path = request.originalUrl.split('?')[0]!;
    const allowed = methodsAt(path);
    if (!allowed || (allowed.includes(request.method) && request.method !== 'OPTIONS')) {
      next();
      return;
    }
    response.setHeader('Allow', allowed.join(', '));
    if (request.method === 'OPTIONS') {
      response.status(204).end();
      return;
    }
    response.status(405).json({ code: 'method_not_allowed', detail: `${request.method} is not a method of ${path}; it has ${allowed.join(', ')}` });
  }
}
