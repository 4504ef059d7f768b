import { Param } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { ApiController } from '../../http/api-controller.js';
import { Operation } from '../../http/operation.js';
import { EndpointsService } from '../endpoints.service.js';
import { EndpointVerifyOut } from './endpoint-verification.schemas.js';

/** Hookline's own: the endpoint verification handshake (endpoint-verifier.ts), run again on request. */
@ApiController()
export class EndpointVerificationController {
  constructor(private readonly endpoints: EndpointsService) {}

  @Operation({ method: 'post', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/verify', summary: 'Run the endpoint verification handshake again (Hookline)', access: 'portal', status: 200, response: EndpointVerifyOut })
  verify(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string) { return this.endpoints.verify(principal, appId, endpointId); }
}
