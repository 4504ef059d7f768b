import { ApiKey, Application } from '@hookline/database';
import { Body, Param, Query } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ApplicationsService } from './applications.service.js';
import { generateApiKey, hashToken } from '../auth/auth.guard.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Operation } from '../http/operation.js';
import { conflictOnDuplicate } from '../http/errors.js';
import * as out from './out.js';
import { applicationOut } from './out.js';
import { paginate } from '../http/pagination.js';
import { apiKeyIn, applicationIn, applicationPatch, listQuery } from './schemas.js';
import { ApiController } from '../http/api-controller.js';
import type { z } from 'zod';

@ApiController()
export class ApplicationsController {
  constructor(
    private readonly service: ApplicationsService,
    @InjectRepository(Application) private readonly applications: Repository<Application>,
    @InjectRepository(ApiKey) private readonly apiKeys: Repository<ApiKey>,
  ) {}

  @Operation({ method: 'post', path: '/api/v1/app', summary: 'Create application (admin)', access: 'admin', body: applicationIn, status: 201, response: out.ApplicationOut })
  async create(@Body() body: z.infer<typeof applicationIn>) {
    const application = await conflictOnDuplicate(this.service.create(body), `an application with uid "${body.uid}" already exists`);
    return applicationOut(application);
  }

  @Operation({ method: 'get', path: '/api/v1/app', summary: 'List applications', access: 'token', query: listQuery, status: 200, response: out.ListResponseApplicationOut })
  list(@CurrentPrincipal() principal: Principal, @Query() query: z.infer<typeof listQuery>) {
    const builder = this.applications.createQueryBuilder('app');
    if (principal.kind === 'application') builder.where('app.id = :id', { id: principal.applicationId });
    return paginate(builder, 'app.id', query, 'ascending', applicationOut);
  }

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}', summary: 'Get application by id or uid', access: 'token', status: 200, response: out.ApplicationOut })
  async get(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string) {
    return applicationOut(await this.service.resolve(principal, appId));
  }

  @Operation({ method: 'put', path: '/api/v1/app/{app_id}', summary: 'Update application', access: 'token', body: applicationIn, status: 200, response: out.ApplicationOut })
  async update(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: z.infer<typeof applicationIn>) {
    const application = await this.service.resolve(principal, appId);
    return this.save(application, { uid: null, throttleRate: null, metadata: {}, ...body });
  }

  @Operation({ method: 'patch', path: '/api/v1/app/{app_id}', summary: 'Patch application', access: 'token', body: applicationPatch, status: 200, response: out.ApplicationOut })
  async patch(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: z.infer<typeof applicationPatch>) {
    return this.save(await this.service.resolve(principal, appId), body);
  }

  @Operation({ method: 'delete', path: '/api/v1/app/{app_id}', summary: 'Delete application (admin)', access: 'admin', status: 204 })
  async remove(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string): Promise<void> {
    const application = await this.service.resolve(principal, appId);
    await this.applications.delete({ id: application.id });
  }

  /** Hookline's own resource: an API key scoped to this application, shown once. */
  @Operation({
    method: 'post',
    path: '/api/v1/app/{app_id}/api-key',
    summary: 'Create an API key scoped to the application (admin); the key is shown once',
    access: 'admin',
    body: apiKeyIn,
    status: 201,
    response: out.ApiKeyOut,
  })
  async createApiKey(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: z.infer<typeof apiKeyIn>): Promise<z.output<typeof out.ApiKeyOut>> {
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
