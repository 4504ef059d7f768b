import { ApiKey, Application } from '@hookline/database';
import { Body, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ApplicationsService } from './applications.service.js';
import { CurrentPrincipal, generateApiKey, hashToken, type Principal, requireAdmin } from '../auth/auth.guard.js';
import { conflictOnDuplicate } from '../http/errors.js';
import { type ApiKeyOut, applicationOut } from './out.js';
import { paginate } from '../http/pagination.js';
import { apiKeyIn, applicationIn, applicationPatch, listQuery } from './schemas.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { ApiController } from '../http/api-controller.js';
import type { z } from 'zod';

@ApiController('api/v1/app')
export class ApplicationsController {
  constructor(
    private readonly service: ApplicationsService,
    @InjectRepository(Application) private readonly applications: Repository<Application>,
    @InjectRepository(ApiKey) private readonly apiKeys: Repository<ApiKey>,
  ) {}

  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body(new ZodPipe(applicationIn)) body: z.infer<typeof applicationIn>) {
    requireAdmin(principal);
    const application = await conflictOnDuplicate(this.service.create(body), `an application with uid "${body.uid}" already exists`);
    return applicationOut(application);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query(new ZodPipe(listQuery)) query: z.infer<typeof listQuery>) {
    const builder = this.applications.createQueryBuilder('app');
    if (principal.kind === 'application') builder.where('app.id = :id', { id: principal.applicationId });
    return paginate(builder, 'app.id', query, 'ascending', applicationOut);
  }

  @Get(':appId')
  async get(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string) {
    return applicationOut(await this.service.resolve(principal, appId));
  }

  @Put(':appId')
  async update(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body(new ZodPipe(applicationIn)) body: z.infer<typeof applicationIn>) {
    const application = await this.service.resolve(principal, appId);
    return this.save(application, { uid: null, throttleRate: null, metadata: {}, ...body });
  }

  @Patch(':appId')
  async patch(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body(new ZodPipe(applicationPatch)) body: z.infer<typeof applicationPatch>) {
    return this.save(await this.service.resolve(principal, appId), body);
  }

  @Delete(':appId')
  @HttpCode(204)
  async remove(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string): Promise<void> {
    requireAdmin(principal);
    const application = await this.service.resolve(principal, appId);
    await this.applications.delete({ id: application.id });
  }

  /** Hookline's own resource: an API key scoped to this application, shown once. */
  @Post(':appId/api-key')
  async createApiKey(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body(new ZodPipe(apiKeyIn)) body: z.infer<typeof apiKeyIn>): Promise<z.output<typeof ApiKeyOut>> {
    requireAdmin(principal);
    const application = await this.service.resolve(principal, appId);
    const key = generateApiKey();
    const saved = await this.apiKeys.save({ id: uuidv7(), applicationId: application.id, name: body.name, keyHash: hashToken(key) });
    return { id: saved.id, name: saved.name, key, createdAt: saved.createdAt.toISOString() };
  }

  private async save(application: Application, fields: z.infer<typeof applicationPatch>) {
    if (fields.name !== undefined) application.name = fields.name;
    if (fields.uid !== undefined) application.uid = fields.uid;
    if (fields.throttleRate !== undefined) application.rateLimit = fields.throttleRate;
    if (fields.metadata !== undefined) application.metadata = fields.metadata;
    return applicationOut(await conflictOnDuplicate(this.applications.save(application), `an application with uid "${fields.uid}" already exists`));
  }
}
