import { Body, Param } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { ApiController } from '../../http/api-controller.js';
import { Operation } from '../../http/operation.js';
import { type EndpointHeadersIn, endpointHeadersIn, EndpointHeadersOut, type EndpointHeadersPatchIn, endpointHeadersPatchIn } from './endpoint-headers.schemas.js';
import { EndpointHeadersService } from './endpoint-headers.service.js';

/** The extra headers sent with every delivery to an endpoint. */
@ApiController()
export class EndpointHeadersController {
  constructor(private readonly headers: EndpointHeadersService) {}

  @Operation({
    method: 'get',
    path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/headers',
    summary: "Get the endpoint's extra headers; those carrying credentials are only named (sensitive)",
    access: 'portal',
    status: 200,
    response: EndpointHeadersOut,
  })
  get(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string) { return this.headers.get(principal, appId, endpointId); }

  @Operation({ method: 'put', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/headers', summary: "Replace the endpoint's extra headers", access: 'portal', body: endpointHeadersIn, status: 204 })
  set(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: EndpointHeadersIn) { return this.headers.set(principal, appId, endpointId, body); }

  @Operation({
    method: 'patch',
    path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/headers',
    summary: 'Set some extra headers, remove others (a null value, or deleteHeaders)',
    access: 'portal',
    body: endpointHeadersPatchIn,
    status: 204,
  })
  patch(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: EndpointHeadersPatchIn) {
    return this.headers.patch(principal, appId, endpointId, body);
  }
}
