import { Attempt, Endpoint, Message } from '@hookline/database';
import { Body, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { z } from 'zod';
import { MessageService } from '../messages/message.service.js';
import { ApplicationsService } from './applications.service.js';
import { CurrentPrincipal, type Principal } from '../auth/auth.guard.js';
import { ApiError, conflictOnDuplicate, notFound } from '../http/errors.js';
import { findByIdOrAlias } from '../http/lookup.js';
import { attemptOut, messageOut } from './out.js';
import { paginate } from '../http/pagination.js';
import { attemptListQuery, messageIn, messageListQuery } from './schemas.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { ApiController } from '../http/api-controller.js';

@ApiController('api/v1/app/:appId')
export class MessagesController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly service: MessageService,
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(Attempt) private readonly attempts: Repository<Attempt>,
    @InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>,
  ) {}

  /** 202 for a new message; 409, as Svix answers, for an eventId the application already sent. */
  @Post('msg')
  @HttpCode(202)
  async create(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body(new ZodPipe(messageIn)) body: z.infer<typeof messageIn>) {
    const application = await this.applicationFor(principal, appId, body.application);
    const { message, created } = await this.service.accept(application.id, body);
    if (!created) {
      throw new ApiError(HttpStatus.CONFLICT, 'conflict', `a message with eventId "${body.eventId}" already exists: ${message.id}`);
    }
    return messageOut(message);
  }

  @Get('msg')
  async list(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Query(new ZodPipe(messageListQuery)) query: z.infer<typeof messageListQuery>) {
    const application = await this.applications.resolve(principal, appId);
    const builder = this.messages.createQueryBuilder('msg').where('msg.application_id = :appId', { appId: application.id });
    if (query.channel) builder.andWhere(':channel = ANY(msg.channels)', { channel: query.channel });
    if (query.event_types) builder.andWhere('msg.event_type IN (:...types)', { types: [query.event_types].flat() });
    if (query.before) builder.andWhere('msg.created_at < :before', { before: query.before });
    if (query.after) builder.andWhere('msg.created_at > :after', { after: query.after });
    return paginate(builder, 'msg.id', query, 'descending', (message) => messageOut(message, query.with_content === 'true'));
  }

  @Get('msg/:msgId')
  async get(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string) {
    return messageOut(await this.findMessage(principal, appId, msgId));
  }

  @Get('attempt/msg/:msgId')
  async attemptsByMessage(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string, @Query(new ZodPipe(attemptListQuery)) query: z.infer<typeof attemptListQuery>) {
    const message = await this.findMessage(principal, appId, msgId);
    const builder = this.attempts.createQueryBuilder('attempt').where('attempt.message_id = :id', { id: message.id });
    this.filterStatus(builder, query.status);
    return paginate(builder, 'attempt.id', query, 'descending', attemptOut);
  }

  @Get('attempt/endpoint/:endpointId')
  async attemptsByEndpoint(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Query(new ZodPipe(attemptListQuery)) query: z.infer<typeof attemptListQuery>) {
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
