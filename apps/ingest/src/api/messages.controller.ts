import { Attempt, Endpoint, Message } from '@hookline/database';
import { Body, HttpStatus, Param, Query } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { z } from 'zod';
import { MessageService } from '../messages/message.service.js';
import { ApplicationsService } from './applications.service.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Operation } from '../http/operation.js';
import { ApiError, conflictOnDuplicate, notFound } from '../http/errors.js';
import { findByIdOrAlias } from '../http/lookup.js';
import * as out from './out.js';
import { attemptOut, messageOut } from './out.js';
import { paginate } from '../http/pagination.js';
import { attemptListQuery, messageIn, messageListQuery } from './schemas.js';
import { ApiController } from '../http/api-controller.js';

@ApiController()
export class MessagesController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly service: MessageService,
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(Attempt) private readonly attempts: Repository<Attempt>,
    @InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>,
  ) {}

  /** 202 for a new message; 409, as Svix answers, for an eventId the application already sent. */
  @Operation({ method: 'post', path: '/api/v1/app/{app_id}/msg', summary: 'Send a message (409 for a repeated eventId)', access: 'token', body: messageIn, status: 202, response: out.MessageOut })
  async create(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: z.infer<typeof messageIn>) {
    const application = await this.applicationFor(principal, appId, body.application);
    const { message, created } = await this.service.accept(application.id, body);
    if (!created) {
      throw new ApiError(HttpStatus.CONFLICT, 'conflict', `a message with eventId "${body.eventId}" already exists: ${message.id}`);
    }
    return messageOut(message);
  }

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/msg', summary: 'List messages', access: 'token', query: messageListQuery, status: 200, response: out.ListResponseMessageOut })
  async list(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Query() query: z.infer<typeof messageListQuery>) {
    const application = await this.applications.resolve(principal, appId);
    const builder = this.messages.createQueryBuilder('msg').where('msg.application_id = :appId', { appId: application.id });
    if (query.channel) builder.andWhere(':channel = ANY(msg.channels)', { channel: query.channel });
    if (query.event_types) builder.andWhere('msg.event_type IN (:...types)', { types: [query.event_types].flat() });
    if (query.before) builder.andWhere('msg.created_at < :before', { before: query.before });
    if (query.after) builder.andWhere('msg.created_at > :after', { after: query.after });
    return paginate(builder, 'msg.id', query, 'descending', (message) => messageOut(message, query.with_content === 'true'));
  }

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/msg/{msg_id}', summary: 'Get message by id or eventId', access: 'token', status: 200, response: out.MessageOut })
  async get(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string) {
    return messageOut(await this.findMessage(principal, appId, msgId));
  }

  @Operation({
    method: 'get',
    path: '/api/v1/app/{app_id}/attempt/msg/{msg_id}',
    summary: 'List attempts of a message',
    access: 'token',
    query: attemptListQuery,
    status: 200,
    response: out.ListResponseMessageAttemptOut,
  })
  async attemptsByMessage(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string, @Query() query: z.infer<typeof attemptListQuery>) {
    const message = await this.findMessage(principal, appId, msgId);
    const builder = this.attempts.createQueryBuilder('attempt').where('attempt.message_id = :id', { id: message.id });
    this.filterStatus(builder, query.status);
    return paginate(builder, 'attempt.id', query, 'descending', attemptOut);
  }

  @Operation({
    method: 'get',
    path: '/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}',
    summary: 'List attempts to an endpoint',
    access: 'token',
    query: attemptListQuery,
    status: 200,
    response: out.ListResponseMessageAttemptOut,
  })
  async attemptsByEndpoint(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Query() query: z.infer<typeof attemptListQuery>) {
    const application = await this.applications.resolve(principal, appId);
    const endpoint = await findByIdOrAlias(this.endpoints, endpointId, 'uid', { applicationId: application.id });
    if (!endpoint) throw notFound('endpoint');
    const builder = this.attempts.createQueryBuilder('attempt').where('attempt.endpoint_id = :id', { id: endpoint.id });
    this.filterStatus(builder, query.status);
    return paginate(builder, 'attempt.id', query, 'descending', attemptOut);
  }

  /** Svix status filter: 0 succeeded, 2 failed (1 pending and 3 sending never have attempts). */
  private filterStatus(builder: ReturnType<Repository<Attempt>['createQueryBuilder']>, status: number | undefined): void {
    if (status === 0 || status === 2) builder.andWhere('attempt.succeeded = :ok', { ok: status === 0 });
    else if (status !== undefined) builder.andWhere('false');
  }

  private async applicationFor(principal: Principal, appId: string, create: z.infer<typeof messageIn>['application']) {
    if (create && principal.kind === 'admin' && !(await this.applications.find(appId))) {
      return conflictOnDuplicate(this.applications.create({ ...create, uid: create.uid ?? appId }), 'the application was created concurrently; retry');
    }
    return this.applications.resolve(principal, appId);
  }

  private async findMessage(principal: Principal, appId: string, msgId: string): Promise<Message> {
    const application = await this.applications.resolve(principal, appId);
    const message = await findByIdOrAlias(this.messages, msgId, 'eventId', { applicationId: application.id });
    if (!message) throw notFound('message');
    return message;
  }
}
