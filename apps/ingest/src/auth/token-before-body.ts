import type { NextFunction, Request, Response } from 'express';
import { BEARER, MISSING_TOKEN } from './auth.guard.js';

/**
 * Express middleware that runs before the JSON body parser (Nest's guards run after it): a request
 * to the API that carries a body but no `Authorization: Bearer` header is answered 401 without its
 * body being read or parsed, and its connection closed. A request with some token still has its
 * body parsed (at most 256 KiB) before the guard looks the token up, and lookups of unknown tokens
 * are limited per client address (AuthGuard).
 */
export function tokenBeforeBody(request: Request, response: Response, next: NextFunction): void {
  const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  if (!hasBody || !request.path.startsWith('/api/') || BEARER.test(request.headers.authorization ?? '')) {
    next();
    return;
  }
  response.status(401).set('Connection', 'close').json({ code: 'authentication_failed', detail: MISSING_TOKEN });
}
