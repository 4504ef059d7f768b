import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { ZodError } from 'zod';

/** Svix's validation error body: each problem with the location of the offending field. */
export interface ValidationProblem {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

/** A 422 naming every bad field, in the shape the svix SDK parses (HTTPValidationError). */
export class ValidationFailed extends HttpException {
  constructor(readonly problems: ValidationProblem[]) {
    super({ detail: problems }, HttpStatus.UNPROCESSABLE_ENTITY);
  }

  /** The problems of a zod error, located under `where` (and `within` there, for a part of the input checked on its own). */
  static fromZod(where: 'body' | 'query' | 'path', error: ZodError, within: Array<string | number> = []): ValidationFailed {
    return new ValidationFailed(
      error.issues.map((issue) => ({
        loc: [where, ...within, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))],
        msg: issue.message,
        // A refinement of ours may name its problem (params.type), as the services' own 422s do.
        type: issue.code === 'custom' && typeof issue.params?.['type'] === 'string' ? issue.params['type'] : issue.code,
      })),
    );
  }
}

/** A 4xx in Svix's HttpErrorOut shape: a stable code and a sentence for people. */
export class ApiError extends HttpException {
  constructor(status: number, code: string, detail: string) {
    super({ code, detail }, status);
  }
}

export const notFound = (what: string) => new ApiError(HttpStatus.NOT_FOUND, 'not_found', `${what} not found`);

/** What a lookup found, or a 404 that names what was not. */
export function found<T>(row: T | null | undefined, what: string): T {
  if (row === null || row === undefined) throw notFound(what);
  return row;
}

/** Every error leaves the API as JSON in Svix's shapes; unexpected ones never leak internals. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof ValidationFailed || exception instanceof ApiError) {
      response.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    const tooLarge = bodyTooLarge(exception);
    if (tooLarge) {
      response.status(HttpStatus.PAYLOAD_TOO_LARGE).json(tooLarge);
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const detail = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      response.status(status).json({ code: HttpStatus[status]?.toLowerCase() ?? 'error', detail: Array.isArray(detail) ? detail.join('; ') : String(detail) });
      return;
    }
    // Bodies that are not valid JSON come from the body parser with a status of their own.
    const status = (exception as { status?: number; type?: string }).status;
    if (status && status >= 400 && status < 500) {
      response.status(status).json({ code: (exception as { type?: string }).type ?? 'bad_request', detail: (exception as Error).message });
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    response.status(500).json({ code: 'internal_error', detail: 'internal server error' });
  }
}

/** The body of a 413 that says the limit, if the body parser refused the request as too large. */
function bodyTooLarge(exception: unknown): { code: string; detail: string } | null {
  // Nest wraps the body parser's error in an HttpException, keeping it as the cause.
  const error = (exception instanceof HttpException ? exception.cause : exception) as { status?: number; limit?: unknown } | undefined;
  const status = exception instanceof HttpException ? exception.getStatus() : error?.status;
  if (status !== HttpStatus.PAYLOAD_TOO_LARGE) return null;
  const limit = error?.limit;
  const size = typeof limit === 'number' ? `larger than ${limit % 1024 === 0 ? `${limit / 1024} KiB` : `${limit} bytes`}` : 'too large';
  return { code: 'payload_too_large', detail: `request body ${size}` };
}

/** Turns PostgreSQL's unique violation (23505) into a 409 that says what clashed. */
export async function conflictOnDuplicate<T>(work: Promise<T>, detail: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if ((error as { code?: string }).code === '23505' || (error as { driverError?: { code?: string } }).driverError?.code === '23505') {
      throw new ApiError(HttpStatus.CONFLICT, 'conflict', detail);
    }
    throw error;
  }
}
