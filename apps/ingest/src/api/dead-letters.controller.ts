import { Endpoint, Message, MessageEndpoint } from '@hookline/database';
import { Body, HttpStatus, Param, Query } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { type SelectQueryBuilder, Repository } from 'typeorm';
import type { z } from 'zod';
import { RedeliveryService } from '../messages/redelivery.service.js';
import { ApiController } from '../http/api-controller.js';
import { ApplicationsService } from './applications.service.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Operation } from '../http/operation.js';
import { ApiError, notFound } from '../http/errors.js';
import { findByIdOrAlias } from '../http/lookup.js';
import * as out from './out.js';
import { deadLetterOut } from './out.js';
import { paginate } from '../http/pagination.js';
import { deadLetterQuery, recoverIn, replayIn } from './schemas.js';

/** At most this many deliveries are re-sent by one replay or recover call. */
const MAX_REDELIVERIES = 10_000;

/**
 * Dead letters (deliveries whose retry window ran out) and the ways to send again: Hookline's
 * replay of dead letters, and Svix's resend (one message, one endpoint) and recover (an
 * endpoint's failed messages since a time).
 */
@ApiController()
export class DeadLettersController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly redelivery: RedeliveryService,
    @InjectRepository(MessageEndpoint) private readonly statuses: Repository<MessageEndpoint>,
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    @InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>,
  ) {}

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/dead-letter', summary: 'List dead letters (Hookline)', access: 'token', query: deadLetterQuery, status: 200, response: out.ListResponseDeadLetterOut })
  async list(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Query() query: z.infer<typeof deadLetterQuery>) {
    const application = await this.applications.resolve(principal, appId);
    const builder = await this.deadLetters(application.id, query.endpoint_id, query.since, query.until);
    const key = { columns: ['status.message_id', 'status.endpoint_id'], of: (row: MessageEndpoint) => [row.messageId, row.endpointId] };
    return paginate(builder, key, query, 'ascending', (row) => deadLetterOut(row as MessageEndpoint & { message: Message }));
  }

  /** Sends dead letters again with a fresh retry schedule; they are pending until it ends. */
  @Operation({
    method: 'post',
    path: '/api/v1/app/{app_id}/dead-letter/replay',
    summary: 'Replay dead letters with a fresh retry schedule (Hookline)',
    access: 'token',
    body: replayIn,
    status: 202,
    response: out.ReplayOut,
  })
  async replay(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: z.infer<typeof replayIn>) {
    const application = await this.applications.resolve(principal, appId);
    const builder = await this.deadLetters(application.id, body.endpointId, body.since, body.until);
    if (body.msgIds) builder.andWhere('(status.message_id::text IN (:...ids) OR message.event_id IN (:...ids))', { ids: body.msgIds });
    // Nothing goes to an endpoint still waiting for its verification handshake (its URL changed since).
    builder.innerJoin('status.endpoint', 'endpoint').andWhere('(NOT endpoint.verification_required OR endpoint.verified_at IS NOT NULL)');
    const rows = await builder.limit(MAX_REDELIVERIES).getMany();
    const replayed = await this.redelivery.redeliver(rows.map((row) => ({ message: row.message!, endpointId: row.endpointId })));
    return { replayed };
  }

  @Operation({
    method: 'post',
    path: '/api/v1/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend',
    summary: 'Send a message to an endpoint again',
    access: 'token',
    status: 202,
    response: out.EmptyResponse,
  })
  async resend(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('msgId') msgId: string, @Param('endpointId') endpointId: string) {
    const application = await this.applications.resolve(principal, appId);
    const message = await findByIdOrAlias(this.messages, msgId, 'eventId', { applicationId: application.id });
    if (!message) throw notFound('message');
    const endpoint = requireVerified(await this.endpoint(application.id, endpointId));
    await this.redelivery.redeliver([{ message, endpointId: endpoint.id }]);
    return {}; // the svix SDK parses a JSON body here (EmptyResponse)
  }

  /** Svix's recover: every message that failed or died on this endpoint in the period is sent again. */
  @Operation({
    method: 'post',
    path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/recover',
    summary: 'Send again every message that failed on the endpoint since a time',
    access: 'token',
    body: recoverIn,
    status: 202,
    response: out.RecoverOut,
  })
  async recover(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: z.infer<typeof recoverIn>) {
    const application = await this.applications.resolve(principal, appId);
    const endpoint = requireVerified(await this.endpoint(application.id, endpointId));
    const builder = this.statuses
      .createQueryBuilder('status')
      .innerJoinAndSelect('status.message', 'message')
      .where('status.endpoint_id = :endpointId AND status.status IN (:...failed)', { endpointId: endpoint.id, failed: ['failed', 'dead'] })
      .andWhere('message.created_at >= :since', { since: body.since });
    if (body.until) builder.andWhere('message.created_at < :until', { until: body.until });
    const rows = await builder.limit(MAX_REDELIVERIES).getMany();
    await this.redelivery.redeliver(rows.map((row) => ({ message: row.message!, endpointId: row.endpointId })));
    return { id: randomUUID(), status: 'finished' as const, task: 'endpoint.recover' as const, updatedAt: new Date().toISOString() };
  }

  /**
   * The application's dead letters, narrowed by endpoint (id or uid) and time. The endpoint is a
   * filter like the others, not the resource of the path: one the application lacks matches nothing.
   */
  private async deadLetters(applicationId: string, endpoint?: string | null, since?: Date | null, until?: Date | null): Promise<SelectQueryBuilder<MessageEndpoint>> {
    const builder = this.statuses
      .createQueryBuilder('status')
      .innerJoinAndSelect('status.message', 'message')
      .where('status.application_id = :applicationId AND status.status = :dead', { applicationId, dead: 'dead' });
    if (endpoint) {
      const endpointId = (await findByIdOrAlias(this.endpoints, endpoint, 'uid', { applicationId }))?.id;
      builder.andWhere(endpointId ? 'status.endpoint_id = :endpointId' : 'false', { endpointId });
    }
    if (since) builder.andWhere('status.last_attempt_at >= :since', { since });
    if (until) builder.andWhere('status.last_attempt_at < :until', { until });
    return builder;
  }

  private async endpoint(applicationId: string, idOrUid: string): Promise<Endpoint> {
    const endpoint = await findByIdOrAlias(this.endpoints, idOrUid, 'uid', { applicationId });
    if (!endpoint) throw notFound('endpoint');
    return endpoint;
  }
}

/** An endpoint that must pass the verification handshake receives nothing, not even a resend, until it has. */
function requireVerified(endpoint: Endpoint): Endpoint {
  if (endpoint.verificationRequired && endpoint.verifiedAt === null) {
    throw new ApiError(HttpStatus.CONFLICT, 'endpoint_not_verified', 'the endpoint has not passed verification yet: POST .../verify first');
  }
  return endpoint;
}
