import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Options } from 'pino-http';

/** A request as Express hands it to the middleware: the path it was sent to survives routing in originalUrl. */
type LoggedRequest = IncomingMessage & { id?: unknown; originalUrl?: string };

/**
 * The access log: one line per finished request, naming its method, path, status and duration.
 * pino-http binds the request to a child logger on every request, logged or not, so its
 * serializer runs once per request: the standard one copies the headers, and redaction then
 * clones them to hide the Authorization header (about a tenth of ingest's CPU on the REST path,
 * docs/performance.md). Only what a line needs is taken, and no header is, so no credential can
 * reach it.
 */
export function requestLogOptions(logger: Logger): Options<LoggedRequest, ServerResponse> {
  return {
    logger,
    autoLogging: { ignore: (request) => (request.url ?? '').startsWith('/health') },
    quietReqLogger: true,
    wrapSerializers: false,
    serializers: {
      req: (request: LoggedRequest) => ({
        id: request.id,
        method: request.method,
        url: request.originalUrl ?? request.url,
        remoteAddress: request.socket?.remoteAddress,
      }),
      res: (response: ServerResponse) => ({ statusCode: response.statusCode }),
    },
  };
}
