import { type Message, MessageEndpoint } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type SelectQueryBuilder } from 'typeorm';
import { type ListResponse, paginate } from '../http/pagination.js';
import type { ListQuery } from '../http/schemas.js';
import { selectMessage } from '../messages/messages.repository.js';
import type { DeliveryPair } from '../messages/redelivery.service.js';

/** A delivery status with its message. */
export type StatusWithMessage = MessageEndpoint & { message: Message };

/** Narrows an application's dead letters: to one endpoint, to a time of death. */
export interface DeadLetterFilter {
  endpointId?: string;
  since?: Date | null;
  until?: Date | null;
}

/** The deliveries (message-endpoint statuses) that failed or died, with their messages. */
@Injectable()
export class DeadLettersRepository {
  constructor(@InjectRepository(MessageEndpoint) private readonly statuses: Repository<MessageEndpoint>) {}

  page(applicationId: string, filter: DeadLetterFilter, query: ListQuery & { iterator?: string }): Promise<ListResponse<StatusWithMessage>> {
    const key = { columns: ['status.message_id', 'status.endpoint_id'], of: (row: MessageEndpoint) => [row.messageId, row.endpointId], backward: true };
    // A dead letter's answer shows no payload, so none is read (dead).
    return paginate(this.dead(applicationId, filter), key, query, 'ascending') as Promise<ListResponse<StatusWithMessage>>;
  }

  /**
   * Up to `limit` dead letters to replay, narrowed by message (id or eventId); none to an endpoint
   * still waiting for its verification handshake (its URL changed since), none of an expunged
   * message. Their pairs only: RedeliveryService reads the messages a chunk at a time.
   */
  forReplay(applicationId: string, filter: DeadLetterFilter, msgIds: string[] | null | undefined, limit: number): Promise<DeliveryPair[]> {
    const builder = this.dead(applicationId, filter).andWhere('message.payload IS NOT NULL');
    if (msgIds) builder.andWhere('(status.message_id::text IN (:...ids) OR message.event_id IN (:...ids))', { ids: msgIds });
    builder.innerJoin('status.endpoint', 'endpoint').andWhere('(NOT endpoint.verification_required OR endpoint.verified_at IS NOT NULL)');
    return pairsOf(builder, limit);
  }

  /** Up to `limit` deliveries to the endpoint that failed or died, of messages created in the period and not expunged: their pairs. */
  failedOn(endpointId: string, since: Date, until: Date | null | undefined, limit: number): Promise<DeliveryPair[]> {
    const builder = this.statuses
      .createQueryBuilder('status')
      .innerJoin('status.message', 'message')
      .where('status.endpoint_id = :endpointId AND status.status IN (:...failed)', { endpointId, failed: ['failed', 'dead'] })
      .andWhere('message.created_at >= :since', { since })
      .andWhere('message.payload IS NOT NULL');
    if (until) builder.andWhere('message.created_at < :until', { until });
    return pairsOf(builder, limit);
  }

  private dead(applicationId: string, filter: DeadLetterFilter): SelectQueryBuilder<MessageEndpoint> {
    const builder = selectMessage(this.statuses.createQueryBuilder('status').innerJoin('status.message', 'message'), 'message', false)
      .where('status.application_id = :applicationId AND status.status = :dead', { applicationId, dead: 'dead' });
    if (filter.endpointId) builder.andWhere('status.endpoint_id = :endpointId', { endpointId: filter.endpointId });
    if (filter.since) builder.andWhere('status.last_attempt_at >= :since', { since: filter.since });
    if (filter.until) builder.andWhere('status.last_attempt_at < :until', { until: filter.until });
    return builder;
  }
}

/** Up to `limit` of the statuses' (message, endpoint) pairs, in message order. */
async function pairsOf(builder: SelectQueryBuilder<MessageEndpoint>, limit: number): Promise<DeliveryPair[]> {
  const rows = await builder.select(['status.messageId', 'status.endpointId']).orderBy('status.message_id').addOrderBy('status.endpoint_id').limit(limit).getMany();
  return rows.map(({ messageId, endpointId }) => ({ messageId, endpointId }));
}
