import { Body, Param, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { type ListQuery, listQuery } from '../http/schemas.js';
import { EndpointsService } from './endpoints.service.js';
import { type EndpointIn, endpointIn, EndpointOut, type EndpointPatch, endpointPatch, type EndpointPut, endpointPut, ListResponseEndpointOut } from './endpoints.schemas.js';

@ApiController()
export class EndpointsController {
  constructor(private readonly endpoints: EndpointsService) {}

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/endpoint', summary: 'List endpoints', access: 'portal', query: listQuery, status: 200, response: ListResponseEndpointOut })
  list(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Query() query: ListQuery) { return this.endpoints.list(principal, appId, query); }

  @Operation({ method: 'post', path: '/api/v1/app/{app_id}/endpoint', summary: 'Create endpoint', access: 'portal', body: endpointIn, status: 201, response: EndpointOut })
  create(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: EndpointIn) { return this.endpoints.create(principal, appId, body); }

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Get endpoint by id or uid', access: 'portal', status: 200, response: EndpointOut })
  get(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string) { return this.endpoints.get(principal, appId, endpointId); }

  @Operation({ method: 'put', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Update endpoint, or create it under the path’s uid (upsert); fields left out take their defaults', access: 'portal', body: endpointPut, status: 200, upsert: true, response: EndpointOut })
  replace(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: EndpointPut) { return this.endpoints.replace(principal, appId, endpointId, body); }

  @Operation({ method: 'delete', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Delete endpoint', access: 'portal', status: 204 })
  remove(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string) { return this.endpoints.remove(principal, appId, endpointId); }

  @Operation({ method: 'patch', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Patch endpoint', access: 'portal', body: endpointPatch, status: 200, response: EndpointOut })
  patch(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: EndpointPatch) { return this.endpoints.patch(principal, appId, endpointId, body); }
}
