import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';

/** Svix's own health route, which the SDK's `health.get()` calls. Readiness is /health/ready. */
@ApiController()
export class ApiHealthController {
  @Operation({ method: 'get', path: '/api/v1/health', summary: 'Health', access: 'public', status: 204 })
  health(): void {}
}
