import { type Endpoint, type Message, MessageEndpoint } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { type ListResponse, paginate } from '../http/pagination.js';
import type { ListQuery } from '../http/schemas.js';
import { selectMessage } from '../messages/messages.repository.js';

/** Narrows the messages attempted at an endpoint, by Svix's filters. */
export interface AttemptedMessageFilter {
  /** 0 delivered, 1 pending, 2 failed (attempts.schemas.ts messageStatusOf). */
  status?: 0 | 1 | 2;
  channel?: string;
  eventTypes?: string[];
  before?: Date;
  after?: Date;
}

// The statuses of messageStatusOf (attempts.schemas.ts), as conditions on a message_endpoints row.
const STATUS_CONDITION = {
  0: `status.status = 'succeeded'`,
  1: `(status.status = 'pending' OR (status.status = 'failed' AND status.next_attempt_at IS NOT NULL))`,
  2: `(status.status = 'dead' OR (status.status = 'failed' AND status.next_attempt_at IS NULL))`,
} as const;

/** The message_endpoints rows: where each message stands with each endpoint it was routed to. */
@Injectable()
export class DeliveryStatusesRepository {
  constructor(@InjectRepository(MessageEndpoint) private readonly statuses: Repository<MessageEndpoint>) {}

  /** The messages routed to the endpoint (without their payloads), with where each stands there, newest first unless asked otherwise. */
  messagesOf(endpointId: string, filter: AttemptedMessageFilter, query: ListQuery): Promise<ListResponse<MessageEndpoint & { message: Message }>> {
    const builder = selectMessage(this.statuses.createQueryBuilder('status').innerJoin('status.message', 'message'), 'message', false).where('status.endpoint_id = :endpointId', { endpointId });
    if (filter.status !== undefined) builder.andWhere(STATUS_CONDITION[filter.status]);
    if (filter.channel) builder.andWhere(':channel = ANY(message.channels)', { channel: filter.channel });
    if (filter.eventTypes) builder.andWhere('message.event_type IN (:...eventTypes)', { eventTypes: filter.eventTypes });
    if (filter.before) builder.andWhere('message.created_at < :before', { before: filter.before });
    if (filter.after) builder.andWhere('message.created_at > :after', { after: filter.after });
    const key = { columns: ['status.message_id'], of: (row: MessageEndpoint) => [row.messageId], backward: true };
    return paginate(builder, key, query, 'descending') as Promise<ListResponse<MessageEndpoint & { message: Message }>>;
  }

  /** The endpoints the message was routed to, with where it stands at each, by endpoint id. */
  endpointsOf(messageId: string, query: ListQuery): Promise<ListResponse<MessageEndpoint & { endpoint: Endpoint }>> {
    const builder = this.statuses.createQueryBuilder('status').innerJoinAndSelect('status.endpoint', 'endpoint').where('status.message_id = :messageId', { messageId });
    const key = { columns: ['status.endpoint_id'], of: (row: MessageEndpoint) => [row.endpointId], backward: true };
    return paginate(builder, key, query, 'ascending') as Promise<ListResponse<MessageEndpoint & { endpoint: Endpoint }>>;
  }
}
