import { Injectable } from '@nestjs/common';
import { ApplicationsService } from '../../applications/applications.service.js';
import type { Principal } from '../../auth/principal.js';
import { EventTypesService } from '../../event-types/event-types.service.js';
import { MessageService } from '../../messages/message.service.js';
import { type MessageOut, messageOut } from '../../messages/messages.schemas.js';
import { RedeliveryService } from '../../messages/redelivery.service.js';
import { EndpointLookup } from '../endpoint-lookup.js';
import type { EventExampleIn } from './endpoint-examples.schemas.js';

/** Svix's send-example: an event type's example payload, as a message to one endpoint alone. */
@Injectable()
export class EndpointExamplesService {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly endpoints: EndpointLookup,
    private readonly eventTypes: EventTypesService,
    private readonly messages: MessageService,
    private readonly redelivery: RedeliveryService,
  ) {}

  /** Stores the example as a message and sends it to the endpoint (a manual attempt); no other endpoint gets it. */
  async send(principal: Principal, appId: string, endpointId: string, body: EventExampleIn): Promise<MessageOut> {
    const application = await this.applications.resolve(principal, appId);
    const endpoint = await this.endpoints.findVerifiedIn(application, endpointId);
    const payload = await this.eventTypes.example(principal, body.eventType, body.exampleIndex);
    const message = await this.messages.store(application.id, { eventType: body.eventType, payload });
    await this.redelivery.redeliver([{ message, endpointId: endpoint.id }]);
    return messageOut(message);
  }
}
