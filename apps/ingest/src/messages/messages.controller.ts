import { Body, Param, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { MessageService } from './message.service.js';
import { EndpointsService } from '../endpoints/endpoints.service.js';
import {
  ListResponseMessageOut,
  type MessageIn,
  messageIn,
  type MessageListQuery,
  messageListQuery,
  MessageOut,
  type MessagePrecheckIn,
  messagePrecheckIn,
  MessagePrecheckOut,
} from './messages.schemas.js';

@ApiController()
export class MessagesController {
  constructor(
    private readonly messages: MessageService,
    private readonly endpoints: EndpointsService,
  ) {}

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/msg', summary: 'List messages', access: 'portal', query: messageListQuery, status: 200, response: ListResponseMessageOut })
  list(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Query() query: MessageListQuery) { return this.messages.list(principal, appId, query); }

  @Operation({ method: 'post', path: '/api/v1/app/{app_id}/msg', summary: 'Send a message (409 for a repeated eventId)', access: 'token', body: messageIn, status: 202, response: MessageOut })
  create(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: MessageIn) { return this.messages.create(principal, appId, body); }

  @Operation({
    method: 'post',
    path: '/api/v1/app/{app_id}/msg/precheck/active',
    summary: 'Whether a message of the event type (on the channels) would go to any endpoint now',
    access: 'token',
    body: messagePrecheckIn,
    status: 200,
    response: MessagePrecheckOut,
  })
  precheck(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: MessagePrecheckIn) { return this.endpoints.precheck(principal, appId, body); }

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/msg/{msg_id}', summary: 'Get message by id or eventId', access: 'portal', status: 200, response: MessageOut })
  get(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string) { return this.messages.get(principal, appId, msgId); }

  @Operation({ method: 'delete', path: '/api/v1/app/{app_id}/msg/{msg_id}/content', summary: "Expunge a message's payload; it answers {\"expired\": true} from then on and cannot be sent again", access: 'token', status: 204 })
  expunge(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string) { return this.messages.expunge(principal, appId, msgId); }
}
