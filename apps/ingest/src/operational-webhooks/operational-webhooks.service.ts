import type { Upserted } from '../http/upsert.js';
import type { Endpoint } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { ApplicationsService } from '../applications/applications.service.js';
import { EndpointsRepository } from '../endpoints/endpoints.repository.js';
import { EndpointsService } from '../endpoints/endpoints.service.js';
import { EndpointSecretsService } from '../endpoints/secrets/endpoint-secrets.service.js';
import type { EndpointSecretOut, SecretRotateIn } from '../endpoints/secrets/endpoint-secrets.schemas.js';
import { found, notFound } from '../http/errors.js';
import { type ListResponse, mapPage } from '../http/pagination.js';
import { type ListQuery, uid } from '../http/schemas.js';
import {
  type OperationalWebhookEndpointHeadersIn,
  type OperationalWebhookEndpointHeadersOut,
  type OperationalWebhookEndpointIn,
  type OperationalWebhookEndpointOut,
  operationalWebhookEndpointOut,
  type OperationalWebhookEndpointUpsertIn,
} from './operational-webhooks.schemas.js';

/**
 * The operator's operational webhook endpoints, Svix's `/api/v1/operational-webhook/endpoint`: the
 * endpoints of the operational application, created, changed, signed and delivered to exactly as
 * a tenant's are (EndpointsService, EndpointSecretsService, the pipeline), but never verified by a
 * handshake, and never themselves reported as operational events.
 */
@Injectable()
export class OperationalWebhooksService {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly endpoints: EndpointsService,
    private readonly repository: EndpointsRepository,
    private readonly secrets: EndpointSecretsService,
  ) {}

  async list(query: ListQuery): Promise<ListResponse<OperationalWebhookEndpointOut>> {
    return mapPage(await this.repository.page((await this.applications.operational()).id, query), operationalWebhookEndpointOut);
  }

  async create(body: OperationalWebhookEndpointIn): Promise<OperationalWebhookEndpointOut> {
    return operationalWebhookEndpointOut(await this.endpoints.createIn(await this.applications.operational(), body, { verification: false }));
  }

  async get(endpointId: string): Promise<OperationalWebhookEndpointOut> {
    return operationalWebhookEndpointOut(await this.find(endpointId));
  }

  /**
   * Svix's upsert: replaces the endpoint named by id or uid (fields left out take their defaults,
   * its uid and headers stay unless given); creates one with that uid when there is none.
   */
  async upsert(endpointId: string, body: OperationalWebhookEndpointUpsertIn): Promise<Upserted<OperationalWebhookEndpointOut>> {
    const operational = await this.applications.operational();
    const existing = await this.repository.findIn(operational.id, endpointId);
    if (existing) {
      const replaced = { description: '', throttleRate: null, disabled: false, eventTypes: null, metadata: {}, uid: existing.uid, ...body };
      return { created: false, resource: operationalWebhookEndpointOut(await this.endpoints.update(existing, replaced)) };
    }
    if (!uid.safeParse(endpointId).success) throw notFound('operational webhook endpoint');
    return { created: true, resource: operationalWebhookEndpointOut(await this.endpoints.createIn(operational, { uid: endpointId, ...body }, { verification: false })) };
  }

  async remove(endpointId: string): Promise<void> {
    await this.repository.delete((await this.find(endpointId)).id);
  }

  async getSecret(endpointId: string): Promise<EndpointSecretOut> {
    return this.secrets.secretOf(await this.find(endpointId));
  }

  async rotateSecret(endpointId: string, body: SecretRotateIn): Promise<void> {
    await this.secrets.rotateOf(() => this.find(endpointId), body);
  }

  async getHeaders(endpointId: string): Promise<OperationalWebhookEndpointHeadersOut> {
    return { headers: (await this.find(endpointId)).headers, sensitive: [] };
  }

  async setHeaders(endpointId: string, body: OperationalWebhookEndpointHeadersIn): Promise<void> {
    await this.endpoints.update(await this.find(endpointId), { headers: body.headers });
  }

  /** The operational endpoint named by id or uid; a 404 otherwise. */
  private async find(endpointId: string): Promise<Endpoint> {
    return found(await this.repository.findIn((await this.applications.operational()).id, endpointId), 'operational webhook endpoint');
  }
}
