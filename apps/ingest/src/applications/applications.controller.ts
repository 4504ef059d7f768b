import { Body, Param, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { ApplicationsService } from './applications.service.js';
import { type ApplicationCreateQuery, applicationCreateQuery, type ApplicationIn, applicationIn, type ApplicationListQuery, applicationListQuery, ApplicationOut, type ApplicationPatch, applicationPatch, ListResponseApplicationOut } from './applications.schemas.js';

@ApiController()
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Operation({ method: 'get', path: '/api/v1/app', summary: 'List applications', access: 'token', query: applicationListQuery, status: 200, response: ListResponseApplicationOut })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ApplicationListQuery) { return this.applications.list(principal, query); }

  @Operation({
    method: 'post',
    path: '/api/v1/app',
    summary: 'Create application (admin); with get_if_exists=true, the one with the body’s uid if there is one',
    access: 'admin',
    body: applicationIn,
    query: applicationCreateQuery,
    status: 201,
    upsert: true,
    response: ApplicationOut,
  })
  create(@Body() body: ApplicationIn, @Query() query: ApplicationCreateQuery) { return this.applications.create(body, query); }

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}', summary: 'Get application by id or uid', access: 'portal', status: 200, response: ApplicationOut })
  get(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string) { return this.applications.get(principal, appId); }

  @Operation({ method: 'put', path: '/api/v1/app/{app_id}', summary: 'Update application; the admin token creates it when none has that id or uid (upsert)', access: 'token', body: applicationIn, status: 200, upsert: true, response: ApplicationOut })
  replace(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: ApplicationIn) { return this.applications.replace(principal, appId, body); }

  @Operation({ method: 'delete', path: '/api/v1/app/{app_id}', summary: 'Delete application (admin)', access: 'admin', status: 204 })
  remove(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string) { return this.applications.remove(principal, appId); }

  @Operation({ method: 'patch', path: '/api/v1/app/{app_id}', summary: 'Patch application', access: 'token', body: applicationPatch, status: 200, response: ApplicationOut })
  patch(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: ApplicationPatch) { return this.applications.patch(principal, appId, body); }
}
