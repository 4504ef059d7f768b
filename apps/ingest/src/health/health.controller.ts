import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';

/** Svix's own health routes: the SDK's `health.get()` calls the first; the open-source server also answers a ping. Readiness is /health/ready. */
@ApiController()
export class ApiHealthController {
  @Operation({ method: 'get', path: '/api/v1/health', summary: 'Health', access: 'public', status: 204 })
  health(): void {}

  @Operation({ method: 'get', path: '/api/v1/health/ping', summary: 'Ping: the API answers', access: 'public', status: 204 })
  ping(): void {}
}
