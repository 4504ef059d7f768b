import { Param, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { type ListQuery, listQuery } from '../http/schemas.js';
import { AttemptsService } from './attempts.service.js';
import {
  type AttemptedMessagesQuery,
  attemptedMessagesQuery,
  type AttemptListByEndpointQuery,
  attemptListByEndpointQuery,
  type AttemptListByMessageQuery,
  attemptListByMessageQuery,
  type DeprecatedAttemptListQuery,
  deprecatedAttemptListQuery,
  type DeprecatedEndpointAttemptListQuery,
  deprecatedEndpointAttemptListQuery,
  EmptyResponse,
  ListResponseEndpointMessageOut,
  ListResponseMessageAttemptOut,
  ListResponseMessageEndpointOut,
  MessageAttemptOut,
} from './attempts.schemas.js';

/** Svix's message attempts: what delivery did with each message at each endpoint, and resend. */
@ApiController()
export class AttemptsController {
  constructor(private readonly attempts: AttemptsService) {}

  @Operation({
    method: 'get',
    path: '/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}',
    summary: 'List attempts to an endpoint',
    access: 'portal',
    query: attemptListByEndpointQuery,
    status: 200,
    response: ListResponseMessageAttemptOut,
  })
  listByEndpoint(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Query() query: AttemptListByEndpointQuery) {
    return this.attempts.listByEndpoint(principal, appId, endpointId, query);
  }

  @Operation({
    method: 'get',
    path: '/api/v1/app/{app_id}/attempt/msg/{msg_id}',
    summary: 'List attempts of a message',
    access: 'portal',
    query: attemptListByMessageQuery,
    status: 200,
    response: ListResponseMessageAttemptOut,
  })
  listByMessage(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string, @Query() query: AttemptListByMessageQuery) {
    return this.attempts.listByMessage(principal, appId, msgId, query);
  }

  @Operation({
    method: 'get',
    path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/msg',
    summary: 'List the messages sent to an endpoint, each with where it stands there',
    access: 'portal',
    query: attemptedMessagesQuery,
    status: 200,
    response: ListResponseEndpointMessageOut,
  })
  listAttemptedMessages(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Query() query: AttemptedMessagesQuery) {
    return this.attempts.listAttemptedMessages(principal, appId, endpointId, query);
  }

  @Operation({
    method: 'get',
    path: '/api/v1/app/{app_id}/msg/{msg_id}/endpoint',
    summary: 'List the endpoints a message was sent to, each with where the message stands there',
    access: 'portal',
    query: listQuery,
    status: 200,
    response: ListResponseMessageEndpointOut,
  })
  listAttemptedDestinations(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string, @Query() query: ListQuery) {
    return this.attempts.listAttemptedDestinations(principal, appId, msgId, query);
  }

  @Operation({
    method: 'get',
    path: '/api/v1/app/{app_id}/msg/{msg_id}/attempt',
    summary: "List attempts of a message (deprecated, as in Svix: use /attempt/msg/{msg_id})",
    access: 'portal',
    query: deprecatedAttemptListQuery,
    status: 200,
    response: ListResponseMessageAttemptOut,
    deprecated: true,
  })
  listByMessageDeprecated(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string, @Query() query: DeprecatedAttemptListQuery) {
    return this.attempts.listByMessageDeprecated(principal, appId, msgId, query);
  }

  @Operation({
    method: 'get',
    path: '/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/attempt',
    summary: 'List attempts of a message to one endpoint (deprecated, as in Svix: use /attempt/msg/{msg_id}?endpoint_id=)',
    access: 'portal',
    query: deprecatedEndpointAttemptListQuery,
    status: 200,
    response: ListResponseMessageAttemptOut,
    deprecated: true,
  })
  listByMessageToEndpoint(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string, @Param('endpointId') endpointId: string, @Query() query: DeprecatedEndpointAttemptListQuery) {
    return this.attempts.listByMessageToEndpoint(principal, appId, msgId, endpointId, query);
  }

  @Operation({
    method: 'get',
    path: '/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}',
    summary: 'Get one attempt of a message',
    access: 'portal',
    status: 200,
    response: MessageAttemptOut,
  })
  get(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string, @Param('attemptId') attemptId: string) {
    return this.attempts.get(principal, appId, msgId, attemptId);
  }

  @Operation({ method: 'post', path: '/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend', summary: 'Send a message to an endpoint again', access: 'portal', status: 202, response: EmptyResponse })
  resend(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string, @Param('endpointId') endpointId: string) { return this.attempts.resend(principal, appId, msgId, endpointId); }

  @Operation({ method: 'delete', path: '/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/content', summary: "Expunge an attempt's response body; it answers \"EXPUNGED\" from then on", access: 'token', status: 204 })
  expunge(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string, @Param('attemptId') attemptId: string) { return this.attempts.expunge(principal, appId, msgId, attemptId); }
}
