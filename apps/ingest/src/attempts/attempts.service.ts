import { Injectable } from '@nestjs/common';
import { ApplicationsService } from '../applications/applications.service.js';
import type { Principal } from '../auth/principal.js';
import { EndpointsService } from '../endpoints/endpoints.service.js';
import { emptyPage, type ListResponse, mapPage } from '../http/pagination.js';
import { MessageService } from '../messages/message.service.js';
import { RedeliveryService } from '../messages/redelivery.service.js';
import { type AttemptFilter, AttemptsRepository } from './attempts.repository.js';
import { type AttemptListQuery, attemptOut, type MessageAttemptOut } from './attempts.schemas.js';

/** Delivery attempts, listed by message or by endpoint, and Svix's resend of one message to one endpoint. */
@Injectable()
export class AttemptsService {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly endpoints: EndpointsService,
    private readonly messages: MessageService,
    private readonly attempts: AttemptsRepository,
    private readonly redelivery: RedeliveryService,
  ) {}

  async listByMessage(principal: Principal, appId: string, msgId: string, query: AttemptListQuery): Promise<ListResponse<MessageAttemptOut>> {
    const message = await this.messages.findIn(await this.applications.resolve(principal, appId), msgId);
    return this.list({ messageId: message.id }, query);
  }

  async listByEndpoint(principal: Principal, appId: string, endpointId: string, query: AttemptListQuery): Promise<ListResponse<MessageAttemptOut>> {
    const endpoint = await this.endpoints.find(principal, appId, endpointId);
    return this.list({ endpointId: endpoint.id }, query);
  }

  /** Sends the message to the endpoint again, with a fresh retry schedule. */
  async resend(principal: Principal, appId: string, msgId: string, endpointId: string): Promise<Record<string, never>> {
    const application = await this.applications.resolve(principal, appId);
    const message = await this.messages.findIn(application, msgId);
    const endpoint = await this.endpoints.findVerifiedIn(application, endpointId);
    await this.redelivery.redeliver([{ message, endpointId: endpoint.id }]);
    return {}; // the svix SDK parses a JSON body here (EmptyResponse)
  }

  /** Svix's status filter: 0 succeeded, 2 failed; 1 (pending) and 3 (sending) never have an attempt. */
  private async list(filter: AttemptFilter, query: AttemptListQuery): Promise<ListResponse<MessageAttemptOut>> {
    if (query.status === 1 || query.status === 3) return emptyPage();
    const succeeded = query.status === undefined ? undefined : query.status === 0;
    return mapPage(await this.attempts.page({ ...filter, succeeded }, query), attemptOut);
  }
}
