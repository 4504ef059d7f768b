import { Controller, Get, UseInterceptors } from '@nestjs/common';
import { TracingInterceptor } from '../http/tracing.interceptor.js';
import { buildOpenApiDocument } from './openapi-document.js';

/** Serves the document itself: no operation of the API, and public, as Svix serves its own. */
@Controller('api/v1/openapi.json')
@UseInterceptors(TracingInterceptor)
export class OpenApiController {
  // Built when Nest creates the controller, after every controller has declared its operations.
  private readonly document = buildOpenApiDocument();

  @Get()
  get() { return this.document; }
}
