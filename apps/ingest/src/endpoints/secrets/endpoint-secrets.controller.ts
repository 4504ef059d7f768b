import { Body, Param } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { ApiController } from '../../http/api-controller.js';
import { Operation } from '../../http/operation.js';
import { EndpointSecretsService } from './endpoint-secrets.service.js';
import { EndpointSecretOut, type SecretRotateIn, secretRotateIn } from './endpoint-secrets.schemas.js';

/** An endpoint's signing secret: read it, rotate it. */
@ApiController()
export class EndpointSecretsController {
  constructor(private readonly secrets: EndpointSecretsService) {}

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret', summary: "Get the endpoint's signing secret", access: 'portal', status: 200, response: EndpointSecretOut })
  get(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string) { return this.secrets.get(principal, appId, endpointId); }

  @Operation({
    method: 'post',
    path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret/rotate',
    summary: 'Rotate the signing secret; the previous one keeps signing for a grace period (HOOKLINE_SECRET_ROTATION_GRACE or gracePeriodSeconds)',
    access: 'portal',
    body: secretRotateIn,
    status: 204,
  })
  rotate(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: SecretRotateIn) { return this.secrets.rotate(principal, appId, endpointId, body); }
}
