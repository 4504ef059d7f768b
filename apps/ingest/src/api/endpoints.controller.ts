import { Endpoint } from '@hookline/database';
import { AddressPolicy } from '@hookline/egress';
import { generateSecret, parseSecret, SecretBox } from '@hookline/signing';
import { Body, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import { ApplicationsService } from './applications.service.js';
import { CurrentPrincipal, type Principal } from './auth.js';
import { conflictOnDuplicate, notFound, ValidationFailed } from './errors.js';
import { findByIdOrAlias } from './lookup.js';
import { endpointOut } from './out.js';
import { paginate } from './pagination.js';
import { endpointIn, endpointPatch, listQuery } from './schemas.js';
import { ZodPipe } from './zod.pipe.js';
import { ApiController } from './api-controller.js';

type EndpointFields = z.infer<typeof endpointPatch>;

@ApiController('api/v1/app/:appId/endpoint')
export class EndpointsController {
  constructor(
    private readonly applications: ApplicationsService,
    @InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>,
    private readonly secrets: SecretBox,
    private readonly policy: AddressPolicy,
  ) {}

  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body(new ZodPipe(endpointIn)) body: z.infer<typeof endpointIn>) {
    const application = await this.applications.resolve(principal, appId);
    this.checkUrl(body.url);
    const secret = body.secret ?? generateSecret();
    try {
      parseSecret(secret);
    } catch (error) {
      throw new ValidationFailed([{ loc: ['body', 'secret'], msg: (error as Error).message, type: 'invalid' }]);
    }
    const sealed = this.secrets.encrypt(secret);
    const endpoint = this.endpoints.create({
      id: uuidv7(),
      applicationId: application.id,
      secretCiphertext: sealed.ciphertext,
      secretKeyId: sealed.keyId,
    });
    this.apply(endpoint, body);
    return endpointOut(await conflictOnDuplicate(this.endpoints.save(endpoint), `an endpoint with uid "${body.uid}" already exists`));
  }

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Query(new ZodPipe(listQuery)) query: z.infer<typeof listQuery>) {
    const application = await this.applications.resolve(principal, appId);
    const builder = this.endpoints.createQueryBuilder('endpoint').where('endpoint.application_id = :appId', { appId: application.id });
    return paginate(builder, 'endpoint.id', query, 'ascending', endpointOut);
  }

  @Get(':endpointId')
  async get(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string) {
    return endpointOut(await this.find(principal, appId, endpointId));
  }

  @Put(':endpointId')
  async replace(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body(new ZodPipe(endpointPatch.required({ url: true }))) body: EndpointFields) {
    const defaults: EndpointFields = { description: '', throttleRate: null, uid: null, disabled: false, eventTypes: null, channels: null, metadata: {}, headers: {} };
    return this.update(await this.find(principal, appId, endpointId), { ...defaults, ...body });
  }

  @Patch(':endpointId')
  async patch(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body(new ZodPipe(endpointPatch)) body: EndpointFields) {
    return this.update(await this.find(principal, appId, endpointId), body);
  }

  @Delete(':endpointId')
  @HttpCode(204)
  async remove(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string): Promise<void> {
    const endpoint = await this.find(principal, appId, endpointId);
    await this.endpoints.delete({ id: endpoint.id });
  }

  @Get(':endpointId/secret')
  async secret(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string) {
    const endpoint = await this.find(principal, appId, endpointId);
    return { key: this.secrets.decrypt({ keyId: endpoint.secretKeyId, ciphertext: endpoint.secretCiphertext }) };
  }

  private async update(endpoint: Endpoint, body: EndpointFields) {
    if (body.url !== undefined) this.checkUrl(body.url);
    this.apply(endpoint, body);
    return endpointOut(await conflictOnDuplicate(this.endpoints.save(endpoint), `an endpoint with uid "${body.uid}" already exists`));
  }

  private apply(endpoint: Endpoint, body: EndpointFields): void {
    if (body.url !== undefined) endpoint.url = body.url;
    if (body.description !== undefined) endpoint.description = body.description;
    if (body.throttleRate !== undefined) endpoint.rateLimit = body.throttleRate;
    if (body.uid !== undefined) endpoint.uid = body.uid;
    if (body.disabled !== undefined) endpoint.disabled = body.disabled;
    if (body.eventTypes !== undefined) endpoint.eventTypes = body.eventTypes;
    if (body.channels !== undefined) endpoint.channels = body.channels;
    if (body.metadata !== undefined) endpoint.metadata = body.metadata;
    if (body.headers !== undefined) endpoint.headers = body.headers ?? {};
  }

  /** The scheme is checked now; the address is checked again at every connection by delivery. */
  private checkUrl(url: string): void {
    try {
      this.policy.checkUrl(url);
    } catch (error) {
      throw new ValidationFailed([{ loc: ['body', 'url'], msg: (error as Error).message, type: 'invalid' }]);
    }
  }

  private async find(principal: Principal, appId: string, endpointId: string): Promise<Endpoint> {
    const application = await this.applications.resolve(principal, appId);
    const endpoint = await findByIdOrAlias(this.endpoints, endpointId, 'uid', { applicationId: application.id });
    if (!endpoint) throw notFound('endpoint');
    return endpoint;
  }
}

