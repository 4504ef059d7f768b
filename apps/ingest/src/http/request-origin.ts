import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * The origin the request came to (`http://<Host>`), for links the API hands out when
 * HOOKLINE_PUBLIC_URL is unset: right for a direct connection or a port-forward, wrong behind a
 * TLS proxy or an ingress, which is why the setting exists. Forwarded headers are not trusted,
 * but for the protocol (X-Forwarded-Proto) from HOOKLINE_TRUSTED_PROXIES.
 */
export const RequestOrigin = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<Request>();
  return `${request.protocol}://${request.get('host') ?? 'localhost'}`;
});
