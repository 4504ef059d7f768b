import { Attempt } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { type ListResponse, paginate } from '../http/pagination.js';
import type { ListQuery } from '../http/schemas.js';

/** The attempts of one message, or to one endpoint, those that succeeded or failed or all. */
export interface AttemptFilter {
  messageId?: string;
  endpointId?: string;
  succeeded?: boolean;
}

/** The attempts table: every delivery attempt, as delivery recorded it. */
@Injectable()
export class AttemptsRepository {
  constructor(@InjectRepository(Attempt) private readonly attempts: Repository<Attempt>) {}

  /** A page of attempts, newest first unless asked otherwise. */
  page(filter: AttemptFilter, query: ListQuery): Promise<ListResponse<Attempt>> {
    const builder = this.attempts.createQueryBuilder('attempt');
    if (filter.messageId) builder.andWhere('attempt.message_id = :messageId', { messageId: filter.messageId });
    if (filter.endpointId) builder.andWhere('attempt.endpoint_id = :endpointId', { endpointId: filter.endpointId });
    if (filter.succeeded !== undefined) builder.andWhere('attempt.succeeded = :succeeded', { succeeded: filter.succeeded });
    return paginate(builder, 'attempt.id', query, 'descending');
  }
}
