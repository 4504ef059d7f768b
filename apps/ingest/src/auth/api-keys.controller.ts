import { Body, Param, Query } from '@nestjs/common';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { type ListQuery, listQuery } from '../http/schemas.js';
import { ApiKeysService } from './api-keys.service.js';
import { type ApiKeyIn, apiKeyIn, ApiKeyOut, ListResponseApiKeySummaryOut } from './api-keys.schemas.js';
import { CurrentPrincipal, type Principal } from './principal.js';

/**
 * Hookline's own resource: API keys, each scoped to one application. Managing them is the
 * operator's (the admin token): a key cannot mint, list or revoke keys, its own included.
 */
@ApiController()
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/api-key', summary: "List the application's API keys, revoked ones too, never the keys themselves (admin)", access: 'admin', query: listQuery, status: 200, response: ListResponseApiKeySummaryOut })
  list(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Query() query: ListQuery) { return this.keys.list(principal, appId, query); }

  @Operation({
    method: 'post',
    path: '/api/v1/app/{app_id}/api-key',
    summary: 'Create an API key scoped to the application (admin); the key is shown once',
    access: 'admin',
    body: apiKeyIn,
    status: 201,
    response: ApiKeyOut,
    credential: true,
  })
  create(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: ApiKeyIn) { return this.keys.create(principal, appId, body); }

  @Operation({ method: 'delete', path: '/api/v1/app/{app_id}/api-key/{key_id}', summary: 'Revoke an API key: refused from then on (admin)', access: 'admin', status: 204 })
  revoke(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('keyId') keyId: string) { return this.keys.revoke(principal, appId, keyId); }
}
