import { type Attempt, isSendable } from '@hookline/database';
import { HttpStatus, Injectable } from '@nestjs/common';
import { ApplicationsService } from '../applications/applications.service.js';
import type { Principal } from '../auth/principal.js';
import { EndpointLookup } from '../endpoints/endpoint-lookup.js';
import { ApiError, found, notFound } from '../http/errors.js';
import { isUuid } from '../http/lookup.js';
import { emptyPage, type ListResponse, mapPage } from '../http/pagination.js';
import { MessageService } from '../messages/message.service.js';
import { messageOut, withoutPayload } from '../messages/messages.schemas.js';
import { RedeliveryService } from '../messages/redelivery.service.js';
import { type AttemptFilter, AttemptsRepository } from './attempts.repository.js';
import {
  type AttemptedMessagesQuery,
  type AttemptListByEndpointQuery,
  type AttemptListByMessageQuery,
  type AttemptListQuery,
  attemptOut,
  type DeprecatedAttemptListQuery,
  type DeprecatedEndpointAttemptListQuery,
  type EndpointMessageOut,
  endpointMessageOut,
  eventTypesOf,
  type MessageAttemptOut,
  type MessageEndpointOut,
  messageEndpointOut,
} from './attempts.schemas.js';
import { DeliveryStatusesRepository } from './delivery-statuses.repository.js';

/** An attempt as a listing shows it: its response only with content, its message (never the payload, not read) when loaded. */
function listedAttemptOut(attempt: Attempt & { message?: Parameters<typeof messageOut>[0] }, withContent: boolean): MessageAttemptOut {
  const out = attemptOut(attempt);
  return { ...out, response: withContent ? out.response : '', ...(attempt.message && { msg: messageOut(withoutPayload(attempt.message)) }) };
}

/**
 * Svix's message attempts: what delivery did with each message at each endpoint (by message, by
 * endpoint, one attempt), where each message stands with each endpoint it was routed to (the
 * attempted messages of an endpoint, the attempted destinations of a message), and resend.
 */
@Injectable()
export class AttemptsService {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly endpoints: EndpointLookup,
    private readonly messages: MessageService,
    private readonly attempts: AttemptsRepository,
    private readonly statuses: DeliveryStatusesRepository,
    private readonly redelivery: RedeliveryService,
  ) {}

  async listByMessage(principal: Principal, appId: string, msgId: string, query: AttemptListByMessageQuery): Promise<ListResponse<MessageAttemptOut>> {
    const application = await this.applications.resolve(principal, appId);
    const message = await this.messages.findIn(application, msgId);
    if (query.endpoint_id === undefined) return this.list({ messageId: message.id }, query);
    // An endpoint the application does not have was attempted with nothing.
    const endpoint = await this.endpoints.lookup(application.id, query.endpoint_id);
    return endpoint ? this.list({ messageId: message.id, endpointId: endpoint.id }, query) : emptyPage();
  }

  /**
   * Svix's deprecated listing by message: listByMsg's attempts, each with its response, except
   * that an `endpoint_id` the application does not have is a 404 there, as Svix answers.
   */
  async listByMessageDeprecated(principal: Principal, appId: string, msgId: string, query: DeprecatedAttemptListQuery): Promise<ListResponse<MessageAttemptOut>> {
    const application = await this.applications.resolve(principal, appId);
    const message = await this.messages.findIn(application, msgId);
    const endpoint = query.endpoint_id === undefined ? undefined : await this.endpoints.findIn(application, query.endpoint_id);
    return this.list({ messageId: message.id, endpointId: endpoint?.id }, { ...query, with_content: 'true' });
  }

  /** Svix's deprecated listing of a message's attempts to one endpoint: a 404 when the application has no such endpoint, as the path names it. */
  async listByMessageToEndpoint(principal: Principal, appId: string, msgId: string, endpointId: string, query: DeprecatedEndpointAttemptListQuery): Promise<ListResponse<MessageAttemptOut>> {
    const application = await this.applications.resolve(principal, appId);
    const message = await this.messages.findIn(application, msgId);
    const endpoint = await this.endpoints.findIn(application, endpointId);
    return this.list({ messageId: message.id, endpointId: endpoint.id }, { ...query, with_content: 'true' });
  }

  async listByEndpoint(principal: Principal, appId: string, endpointId: string, query: AttemptListByEndpointQuery): Promise<ListResponse<MessageAttemptOut>> {
    const endpoint = await this.endpoints.find(principal, appId, endpointId);
    return this.list({ endpointId: endpoint.id, withMessage: query.with_msg === 'true' }, query);
  }

  /** One attempt of the message (named by id or eventId), with its response. */
  async get(principal: Principal, appId: string, msgId: string, attemptId: string): Promise<MessageAttemptOut> {
    const message = await this.messages.findIn(await this.applications.resolve(principal, appId), msgId);
    return attemptOut(found(await this.attempts.findOfMessage(message.id, attemptId), 'attempt'));
  }

  /** The messages routed to the endpoint, newest first, each with where it stands there. */
  async listAttemptedMessages(principal: Principal, appId: string, endpointId: string, query: AttemptedMessagesQuery): Promise<ListResponse<EndpointMessageOut>> {
    const endpoint = await this.endpoints.find(principal, appId, endpointId);
    // No message carries a tag; Hookline never has a message sending (3) or canceled (4) as a status.
    if (query.tag !== undefined || query.status === 3 || query.status === 4) return emptyPage();
    const filter = { status: query.status, channel: query.channel, eventTypes: eventTypesOf(query), before: query.before, after: query.after };
    const page = await this.statuses.messagesOf(endpoint.id, filter, query);
    if (query.with_content !== 'true') return mapPage(page, (row) => endpointMessageOut({ ...row, message: withoutPayload(row.message) }));
    return mapPage(await this.messages.withPayloads(page, (row) => row.message, query), endpointMessageOut);
  }

  /** The endpoints the message was routed to, by endpoint id, each with where the message stands there. */
  async listAttemptedDestinations(principal: Principal, appId: string, msgId: string, query: { limit: number; iterator?: string }): Promise<ListResponse<MessageEndpointOut>> {
    const message = await this.messages.findIn(await this.applications.resolve(principal, appId), msgId);
    return mapPage(await this.statuses.endpointsOf(message.id, query), messageEndpointOut);
  }

  /** Sends the message to the endpoint again, with a fresh retry schedule; not once its payload was expunged (a 400, as Svix). */
  async resend(principal: Principal, appId: string, msgId: string, endpointId: string): Promise<Record<string, never>> {
    const application = await this.applications.resolve(principal, appId);
    const message = await this.messages.findIn(application, msgId);
    if (!isSendable(message)) throw new ApiError(HttpStatus.BAD_REQUEST, 'missing_payload', "the message's payload was expunged: it cannot be sent again");
    const endpoint = await this.endpoints.findVerifiedIn(application, endpointId);
    await this.redelivery.redeliver([{ message, endpointId: endpoint.id }]);
    return {}; // the svix SDK parses a JSON body here (EmptyResponse)
  }

  /** Svix's attempt expunge content: the response body goes, the rest of the attempt stays. */
  async expunge(principal: Principal, appId: string, msgId: string, attemptId: string): Promise<void> {
    const message = await this.messages.findIn(await this.applications.resolve(principal, appId), msgId);
    if (!isUuid(attemptId) || !(await this.attempts.expunge(message.id, attemptId))) throw notFound('attempt');
  }

  /**
   * Svix's filters: status 0 succeeded, 2 failed (1 pending and 3 sending never have an attempt,
   * 4 canceled never happens); a tag matches nothing (no message carries one).
   */
  private async list(filter: AttemptFilter, query: AttemptListQuery): Promise<ListResponse<MessageAttemptOut>> {
    if (query.status === 1 || query.status === 3 || query.status === 4 || query.tag !== undefined) return emptyPage();
    const succeeded = query.status === undefined ? undefined : query.status === 0;
    const narrowed = { ...filter, succeeded, statusCodeClass: query.status_code_class, channel: query.channel, eventTypes: eventTypesOf(query), before: query.before, after: query.after };
    return mapPage(await this.attempts.page(narrowed, query), (attempt) => listedAttemptOut(attempt, query.with_content === 'true'));
  }
}
