import { Attempt } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUuid } from '../http/lookup.js';
import { type ListResponse, paginate } from '../http/pagination.js';
import type { ListQuery } from '../http/schemas.js';
import { selectMessage } from '../messages/messages.repository.js';

/** Which attempts a listing shows: of one message or to one endpoint, narrowed by Svix's filters. */
export interface AttemptFilter {
  messageId?: string;
  endpointId?: string;
  succeeded?: boolean;
  /** 0: no response; else the hundred of the status code. */
  statusCodeClass?: number;
  /** Of messages on this channel, or of these event types. */
  channel?: string;
  eventTypes?: string[];
  before?: Date;
  after?: Date;
  /** Loads each attempt's message along (Svix's `with_msg`). */
  withMessage?: boolean;
}

/** The attempts table: every delivery attempt, as delivery recorded it. */
@Injectable()
export class AttemptsRepository {
  constructor(@InjectRepository(Attempt) private readonly attempts: Repository<Attempt>) {}

  /** Removes the attempt's response (Svix's expunge content); false when the message has no such attempt. */
  async expunge(messageId: string, attemptId: string): Promise<boolean> {
    const updated = await this.attempts.update({ messageId, id: attemptId }, { responseExcerpt: null });
    return Boolean(updated.affected);
  }

  /** A page of attempts, newest first unless asked otherwise. */
  page(filter: AttemptFilter, query: ListQuery): Promise<ListResponse<Attempt>> {
    const builder = this.attempts.createQueryBuilder('attempt');
    if (filter.messageId) builder.andWhere('attempt.message_id = :messageId', { messageId: filter.messageId });
    if (filter.endpointId) builder.andWhere('attempt.endpoint_id = :endpointId', { endpointId: filter.endpointId });
    if (filter.succeeded !== undefined) builder.andWhere('attempt.succeeded = :succeeded', { succeeded: filter.succeeded });
    if (filter.statusCodeClass === 0) builder.andWhere('attempt.response_status_code IS NULL');
    else if (filter.statusCodeClass !== undefined) builder.andWhere('attempt.response_status_code BETWEEN :low AND :high', { low: filter.statusCodeClass, high: filter.statusCodeClass + 99 });
    if (filter.before) builder.andWhere('attempt.created_at < :before', { before: filter.before });
    if (filter.after) builder.andWhere('attempt.created_at > :after', { after: filter.after });
    if (filter.channel || filter.eventTypes || filter.withMessage) {
      builder.innerJoin('attempt.message', 'message');
      // A listing never shows the payload, so it is not read.
      if (filter.withMessage) selectMessage(builder, 'message', false);
      if (filter.channel) builder.andWhere(':channel = ANY(message.channels)', { channel: filter.channel });
      if (filter.eventTypes) builder.andWhere('message.event_type IN (:...eventTypes)', { eventTypes: filter.eventTypes });
    }
    return paginate(builder, 'attempt.id', query, 'descending');
  }

  /** The traces the message's attempts were made in, oldest first (one for most messages; resends add theirs). */
  async traceIdsOf(messageId: string): Promise<string[]> {
    const rows = (await this.attempts.query('SELECT trace_id FROM attempts WHERE message_id = $1 AND trace_id IS NOT NULL GROUP BY trace_id ORDER BY min(created_at)', [messageId])) as Array<{ trace_id: string }>;
    return rows.map((row) => row.trace_id);
  }

  /** The message's attempt of this id, if it is one (any other text names none). */
  async findOfMessage(messageId: string, attemptId: string): Promise<Attempt | null> {
    return isUuid(attemptId) ? this.attempts.findOneBy({ id: attemptId, messageId }) : null;
  }
}
