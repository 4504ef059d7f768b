import { Body, Param } from '@nestjs/common';
import { ApiController } from '../../http/api-controller.js';
import { Operation } from '../../http/operation.js';
import { RequestOrigin } from '../../http/request-origin.js';
import { CurrentPrincipal, type Principal } from '../principal.js';
import { type AppPortalAccessIn, appPortalAccessIn, AppPortalAccessOut, type ApplicationTokenExpireIn, applicationTokenExpireIn } from './app-portal.schemas.js';
import { AppPortalService } from './app-portal.service.js';

/** Svix's authentication: app-portal sessions, each reaching one application. */
@ApiController()
export class AppPortalController {
  constructor(private readonly portal: AppPortalService) {}

  @Operation({
    method: 'post',
    path: '/api/v1/auth/app-portal-access/{app_id}',
    summary: 'A link to the app portal for one application, with a token that reaches only it (expires; HOOKLINE_PORTAL_TOKEN_TTL or expiry)',
    access: 'token',
    body: appPortalAccessIn,
    status: 200,
    response: AppPortalAccessOut,
    credential: true,
  })
  appPortalAccess(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: AppPortalAccessIn, @RequestOrigin() origin: string) {
    return this.portal.access(principal, appId, body, origin);
  }

  @Operation({ method: 'post', path: '/api/v1/auth/logout', summary: 'End the app-portal session of the token that calls it', access: 'portalToken', status: 204 })
  logout(@CurrentPrincipal() principal: Principal & { kind: 'portal' }) { return this.portal.logout(principal); }

  @Operation({
    method: 'post',
    path: '/api/v1/auth/app/{app_id}/expire-all',
    summary: "End the application's app-portal sessions, at once or in expiry seconds (all, or those of sessionIds)",
    access: 'token',
    body: applicationTokenExpireIn,
    status: 204,
  })
  expireAll(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: ApplicationTokenExpireIn) { return this.portal.expireAll(principal, appId, body); }

  @Operation({
    method: 'post',
    path: '/api/v1/auth/dashboard-access/{app_id}',
    summary: 'The open-source server’s older name of app-portal-access, without options',
    access: 'token',
    status: 200,
    response: AppPortalAccessOut,
    credential: true,
  })
  dashboardAccess(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @RequestOrigin() origin: string) { return this.portal.access(principal, appId, undefined, origin); }
}
