import type { EventType } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { conflictOnDuplicate, found } from '../http/errors.js';
import { type ListResponse, mapPage } from '../http/pagination.js';
import { patcher } from '../http/patch.js';
import { EventTypesRepository } from './event-types.repository.js';
import { type EventTypeIn, type EventTypeListQuery, type EventTypeOut, eventTypeOut, type EventTypePatch } from './event-types.schemas.js';

const patch = patcher<EventTypePatch, EventType>({
  description: 'description',
  archived: 'archived',
  // Not stored: an event type is never deprecated here (its answers say false), as the body allows.
  deprecated: () => {},
  schemas: 'schemas',
  featureFlag: 'featureFlag',
});

/** Event types are shared by every application, as in Svix; only the operator changes them. */
@Injectable()
export class EventTypesService {
  constructor(private readonly eventTypes: EventTypesRepository) {}

  async create(body: EventTypeIn): Promise<EventTypeOut> {
    const fields = { name: body.name, description: body.description, archived: body.archived ?? false, schemas: body.schemas ?? null, featureFlag: body.featureFlag ?? null };
    await conflictOnDuplicate(this.eventTypes.insert(fields), `event type "${body.name}" already exists`);
    return eventTypeOut(await this.find(body.name));
  }

  async list(query: EventTypeListQuery): Promise<ListResponse<EventTypeOut>> {
    return mapPage(await this.eventTypes.page(query.include_archived === 'true', query), eventTypeOut);
  }

  async get(name: string): Promise<EventTypeOut> {
    return eventTypeOut(await this.find(name));
  }

  /** PUT and PATCH alike: the fields given change, the others stay. */
  async update(name: string, body: EventTypePatch): Promise<EventTypeOut> {
    return eventTypeOut(await this.eventTypes.save(patch(await this.find(name), body)));
  }

  /** Archives rather than deletes, as Svix does: endpoints may still name the type. */
  async archive(name: string): Promise<void> {
    await this.eventTypes.archive((await this.find(name)).name);
  }

  private async find(name: string): Promise<EventType> {
    return found(await this.eventTypes.find(name), `event type "${name}"`);
  }
}
