import { Get, HttpCode } from '@nestjs/common';
import { ApiController } from '../http/api-controller.js';
import { Public } from '../auth/auth.guard.js';

/** Svix's own health route, which the SDK's `health.get()` calls. Readiness is /health/ready. */
@ApiController('api/v1/health')
export class ApiHealthController {
  @Get()
  @Public()
  @HttpCode(204)
  health(): void {}
}
