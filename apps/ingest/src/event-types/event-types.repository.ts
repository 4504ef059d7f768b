import { EventType } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { type ListResponse, paginate } from '../http/pagination.js';
import type { ListQuery } from '../http/schemas.js';

/** The event_types table. */
@Injectable()
export class EventTypesRepository {
  constructor(@InjectRepository(EventType) private readonly eventTypes: Repository<EventType>) {}

  /** Inserts, and fails with a unique violation on an existing name (save would overwrite it). */
  async insert(fields: Pick<EventType, 'name' | 'description' | 'archived' | 'schemas' | 'featureFlag'>): Promise<void> {
    await this.eventTypes.createQueryBuilder().insert().values(this.eventTypes.create(fields)).execute();
  }

  find(name: string): Promise<EventType | null> {
    return this.eventTypes.findOneBy({ name });
  }

  save(type: EventType): Promise<EventType> {
    return this.eventTypes.save(type);
  }

  async archive(name: string): Promise<void> {
    await this.eventTypes.update({ name }, { archived: true });
  }

  /** A page by name, archived types only if asked for. */
  page(includeArchived: boolean, query: ListQuery & { iterator?: string }): Promise<ListResponse<EventType>> {
    const builder = this.eventTypes.createQueryBuilder('type');
    if (!includeArchived) builder.where('type.archived = false');
    return paginate(builder, { columns: ['type.name'], of: (type) => [type.name] }, query, 'ascending');
  }
}
