import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { operationsByPath } from './operation.js';

/** Each declared path as a matcher of request paths (Express routes ignore case and a trailing slash), with its methods. */
function declaredPaths() {
  return operationsByPath().map(({ path, operations }) => ({
    pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}/?$`, 'i'),
    methods: operations.map((operation) => operation.method.toUpperCase()),
  }));
}

/**
 * A method that a declared path does not have gets a 405 with an `Allow` header listing those
 * it has (HEAD wherever GET, and OPTIONS), and OPTIONS gets that list; both from the declared
 * operations the document is built from. Runs before authentication: which methods a path has
 * is no secret. Other paths go on to the router.
 */
@Injectable()
export class MethodNotAllowedMiddleware implements NestMiddleware {
  // Built when Nest creates the middleware, after every controller has declared its operations.
  private readonly paths = declaredPaths();

  use(request: Request, response: Response, next: NextFunction): void {
    // Mounted with use(), so request.path has lost the mount path: the original URL has it all.
    const path = request.originalUrl.split('?')[0]!;
    const allowed = this.methodsAt(path);
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

  /** The methods a declared path answers, or null for a path no operation has. */
  private methodsAt(requestPath: string): string[] | null {
    const match = this.paths.find(({ pattern }) => pattern.test(requestPath));
    if (!match) return null;
    return [...match.methods, ...(match.methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'];
  }
}
