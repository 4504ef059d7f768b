import { Param, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { ApiController } from '../../http/api-controller.js';
import { Operation } from '../../http/operation.js';
import { EndpointOrderingService } from './endpoint-ordering.service.js';
import { type HeldKeysQuery, heldKeysQuery, ListResponseHeldKeyOut } from './endpoint-ordering.schemas.js';

/** Hookline's own: what holds a FIFO endpoint's ordering keys. */
@ApiController()
export class EndpointOrderingController {
  constructor(private readonly ordering: EndpointOrderingService) {}

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/ordering', summary: "List a FIFO endpoint's ordering keys held by a failing message (Hookline)", access: 'portal', query: heldKeysQuery, status: 200, response: ListResponseHeldKeyOut })
  list(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Query() query: HeldKeysQuery) { return this.ordering.heldKeys(principal, appId, endpointId, query); }
}
