import { Body, Param } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { ApiController } from '../../http/api-controller.js';
import { Operation } from '../../http/operation.js';
import { MessageOut } from '../../messages/messages.schemas.js';
import { type EventExampleIn, eventExampleIn } from './endpoint-examples.schemas.js';
import { EndpointExamplesService } from './endpoint-examples.service.js';

/** Svix's send-example: an event type's example, sent to one endpoint. */
@ApiController()
export class EndpointExamplesController {
  constructor(private readonly examples: EndpointExamplesService) {}

  @Operation({
    method: 'post',
    path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/send-example',
    summary: "Send the event type's example payload (from its schemas' examples) to this endpoint alone",
    access: 'portal',
    body: eventExampleIn,
    status: 200,
    response: MessageOut,
  })
  sendExample(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: EventExampleIn) {
    return this.examples.send(principal, appId, endpointId, body);
  }
}
