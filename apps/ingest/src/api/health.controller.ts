import { Get, HttpCode } from '@nestjs/common';
import { ApiController } from './api-controller.js';
import { Public } from './auth.js';

/** Svix's own health route, which the SDK's `health.get()` calls. Readiness is /health/ready. */
@ApiController('api/v1/health')
export class ApiHealthController {
  @Get()
  @Public()
  @HttpCode(204)
  health(): void {}
}
