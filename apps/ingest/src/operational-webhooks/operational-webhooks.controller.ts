import { Body, Param, Query } from '@nestjs/common';
import { EndpointSecretOut, type SecretRotateIn, secretRotateIn } from '../endpoints/secrets/endpoint-secrets.schemas.js';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { type ListQuery, listQuery } from '../http/schemas.js';
import {
  ListResponseOperationalWebhookEndpointOut,
  OperationalWebhookEndpointHeadersOut,
  type OperationalWebhookEndpointHeadersIn,
  operationalWebhookEndpointHeadersIn,
  type OperationalWebhookEndpointIn,
  operationalWebhookEndpointIn,
  OperationalWebhookEndpointOut,
  type OperationalWebhookEndpointUpsertIn,
  operationalWebhookEndpointUpsertIn,
} from './operational-webhooks.schemas.js';
import { OperationalWebhooksService } from './operational-webhooks.service.js';

const ENDPOINTS = '/api/v1/operational-webhook/endpoint';
const ENDPOINT = '/api/v1/operational-webhook/endpoint/{endpoint_id}';

/** The operator's operational webhook endpoints (the svix SDK's operationalWebhook.endpoint), for the admin token alone. */
@ApiController()
export class OperationalWebhooksController {
  constructor(private readonly endpoints: OperationalWebhooksService) {}

  @Operation({ method: 'get', path: ENDPOINTS, summary: 'List operational webhook endpoints', access: 'admin', query: listQuery, status: 200, response: ListResponseOperationalWebhookEndpointOut })
  list(@Query() query: ListQuery) { return this.endpoints.list(query); }

  @Operation({ method: 'post', path: ENDPOINTS, summary: 'Create an operational webhook endpoint', access: 'admin', body: operationalWebhookEndpointIn, status: 201, response: OperationalWebhookEndpointOut })
  create(@Body() body: OperationalWebhookEndpointIn) { return this.endpoints.create(body); }

  @Operation({ method: 'get', path: ENDPOINT, summary: 'Get an operational webhook endpoint by id or uid', access: 'admin', status: 200, response: OperationalWebhookEndpointOut })
  get(@Param('endpointId') endpointId: string) { return this.endpoints.get(endpointId); }

  @Operation({ method: 'put', path: ENDPOINT, summary: 'Create or update an operational webhook endpoint (created with the path as its uid)', access: 'admin', body: operationalWebhookEndpointUpsertIn, status: 200, upsert: true, response: OperationalWebhookEndpointOut })
  upsert(@Param('endpointId') endpointId: string, @Body() body: OperationalWebhookEndpointUpsertIn) { return this.endpoints.upsert(endpointId, body); }

  @Operation({ method: 'delete', path: ENDPOINT, summary: 'Delete an operational webhook endpoint', access: 'admin', status: 204 })
  remove(@Param('endpointId') endpointId: string) { return this.endpoints.remove(endpointId); }

  @Operation({ method: 'get', path: `${ENDPOINT}/secret`, summary: "Get an operational webhook endpoint's signing secret", access: 'admin', status: 200, response: EndpointSecretOut })
  getSecret(@Param('endpointId') endpointId: string) { return this.endpoints.getSecret(endpointId); }

  @Operation({ method: 'post', path: `${ENDPOINT}/secret/rotate`, summary: "Rotate an operational webhook endpoint's signing secret; the previous one keeps signing for a grace period", access: 'admin', body: secretRotateIn, status: 204 })
  rotateSecret(@Param('endpointId') endpointId: string, @Body() body: SecretRotateIn) { return this.endpoints.rotateSecret(endpointId, body); }

  @Operation({ method: 'get', path: `${ENDPOINT}/headers`, summary: 'Get the extra headers sent with the operational webhooks', access: 'admin', status: 200, response: OperationalWebhookEndpointHeadersOut })
  getHeaders(@Param('endpointId') endpointId: string) { return this.endpoints.getHeaders(endpointId); }

  @Operation({ method: 'put', path: `${ENDPOINT}/headers`, summary: 'Set the extra headers sent with the operational webhooks', access: 'admin', body: operationalWebhookEndpointHeadersIn, status: 204 })
  setHeaders(@Param('endpointId') endpointId: string, @Body() body: OperationalWebhookEndpointHeadersIn) { return this.endpoints.setHeaders(endpointId, body); }
}
