import { Param, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { AttemptsService } from './attempts.service.js';
import { type AttemptListQuery, attemptListQuery, EmptyResponse, ListResponseMessageAttemptOut } from './attempts.schemas.js';

/** Svix's message attempts: what delivery did with each message at each endpoint, and resend. */
@ApiController()
export class AttemptsController {
  constructor(private readonly attempts: AttemptsService) {}

  @Operation({
    method: 'get',
    path: '/api/v1/app/{app_id}/attempt/msg/{msg_id}',
    summary: 'List attempts of a message',
    access: 'token',
    query: attemptListQuery,
    status: 200,
    response: ListResponseMessageAttemptOut,
  })
  listByMessage(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string, @Query() query: AttemptListQuery) { return this.attempts.listByMessage(principal, appId, msgId, query); }

  @Operation({
    method: 'get',
    path: '/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}',
    summary: 'List attempts to an endpoint',
    access: 'token',
    query: attemptListQuery,
    status: 200,
    response: ListResponseMessageAttemptOut,
  })
  listByEndpoint(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Query() query: AttemptListQuery) {
    return this.attempts.listByEndpoint(principal, appId, endpointId, query);
  }

  @Operation({ method: 'post', path: '/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend', summary: 'Send a message to an endpoint again', access: 'token', status: 202, response: EmptyResponse })
  resend(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string, @Param('endpointId') endpointId: string) { return this.attempts.resend(principal, appId, msgId, endpointId); }
}
