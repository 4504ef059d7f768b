import { Body, Param } from '@nestjs/common';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { ApiKeysService } from './api-keys.service.js';
import { type ApiKeyIn, apiKeyIn, ApiKeyOut } from './api-keys.schemas.js';
import { CurrentPrincipal, type Principal } from './principal.js';

/** Hookline's own resource: API keys, each scoped to one application. */
@ApiController()
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Operation({
    method: 'post',
    path: '/api/v1/app/{app_id}/api-key',
    summary: 'Create an API key scoped to the application (admin); the key is shown once',
    access: 'admin',
    body: apiKeyIn,
    status: 201,
    response: ApiKeyOut,
  })
  create(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: ApiKeyIn) { return this.keys.create(principal, appId, body); }
}
