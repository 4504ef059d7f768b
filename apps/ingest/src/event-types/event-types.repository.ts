import { EventType } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { type ListResponse, paginate } from '../http/pagination.js';
import type { ListQuery } from '../http/schemas.js';

/** The fields an event type is created with. */
export type NewEventType = Pick<EventType, 'name' | 'description' | 'archived' | 'deprecated' | 'schemas' | 'featureFlags' | 'groupName'>;

/** Which event types a listing or lookup shows: archived ones only if asked, flagged ones only to the flags given (null: all). */
export interface EventTypeVisibility {
  includeArchived: boolean;
  featureFlags: readonly string[] | null;
}

/** The event_types table. */
@Injectable()
export class EventTypesRepository {
  constructor(@InjectRepository(EventType) private readonly eventTypes: Repository<EventType>) {}

  /** Inserts, and fails with a unique violation on an existing name (save would overwrite it). */
  async insert(fields: NewEventType): Promise<void> {
    await this.eventTypes.createQueryBuilder().insert().values(this.eventTypes.create(fields)).execute();
  }

  /** The type of this name, unless the flags given do not show it. */
  find(name: string, featureFlags: readonly string[] | null = null): Promise<EventType | null> {
    const builder = this.eventTypes.createQueryBuilder('type').where('type.name = :name', { name });
    return this.visible(builder, { includeArchived: true, featureFlags }).getOne();
  }

  save(type: EventType): Promise<EventType> {
    return this.eventTypes.save(type);
  }

  async archive(name: string): Promise<void> {
    await this.eventTypes.update({ name }, { archived: true });
  }

  async delete(name: string): Promise<void> {
    await this.eventTypes.delete({ name });
  }

  /** A page by name. */
  page(visibility: EventTypeVisibility, query: ListQuery & { iterator?: string }): Promise<ListResponse<EventType>> {
    return paginate(this.visible(this.eventTypes.createQueryBuilder('type'), visibility), { columns: ['type.name'], of: (type) => [type.name], backward: false }, query, 'ascending');
  }

  private visible(builder: ReturnType<Repository<EventType>['createQueryBuilder']>, { includeArchived, featureFlags }: EventTypeVisibility) {
    if (!includeArchived) builder.andWhere('type.archived = false');
    if (featureFlags !== null) builder.andWhere('(type.feature_flags IS NULL OR type.feature_flags && :flags::text[])', { flags: featureFlags });
    return builder;
  }
}
