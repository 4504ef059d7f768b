import { EventType } from '@hookline/database';
import { Body, Param, Query } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { z } from 'zod';
import { Operation } from '../http/operation.js';
import { conflictOnDuplicate, notFound } from '../http/errors.js';
import * as out from './out.js';
import { eventTypeOut } from './out.js';
import { paginate } from '../http/pagination.js';
import { eventTypeIn, eventTypeListQuery, eventTypePatch } from './schemas.js';
import { ApiController } from '../http/api-controller.js';

/** Event types are shared by every application, as in Svix; only the operator changes them. */
@ApiController()
export class EventTypesController {
  constructor(@InjectRepository(EventType) private readonly eventTypes: Repository<EventType>) {}

  @Operation({ method: 'post', path: '/api/v1/event-type', summary: 'Create event type (admin)', access: 'admin', body: eventTypeIn, status: 201, response: out.EventTypeOut })
  async create(@Body() body: z.infer<typeof eventTypeIn>) {
    const type = this.eventTypes.create({
      name: body.name,
      description: body.description,
      archived: body.archived ?? false,
      schemas: body.schemas ?? null,
      featureFlag: body.featureFlag ?? null,
    });
    // insert, not save: save would silently overwrite an existing type of the same name.
    await conflictOnDuplicate(this.eventTypes.createQueryBuilder().insert().values(type).execute(), `event type "${body.name}" already exists`);
    return eventTypeOut(await this.find(body.name));
  }

  @Operation({ method: 'get', path: '/api/v1/event-type', summary: 'List event types', access: 'token', query: eventTypeListQuery, status: 200, response: out.ListResponseEventTypeOut })
  list(@Query() query: z.infer<typeof eventTypeListQuery>) {
    const builder = this.eventTypes.createQueryBuilder('type');
    if (query.include_archived === 'false') builder.where('type.archived = false');
    return paginate(builder, { columns: ['type.name'], of: (type) => [type.name] }, query, 'ascending', eventTypeOut);
  }

  @Operation({ method: 'get', path: '/api/v1/event-type/{event_type_name}', summary: 'Get event type (archived ones too)', access: 'token', status: 200, response: out.EventTypeOut })
  async get(@Param('eventTypeName') name: string) {
    return eventTypeOut(await this.find(name));
  }

  @Operation({ method: 'put', path: '/api/v1/event-type/{event_type_name}', summary: 'Update event type (admin)', access: 'admin', body: eventTypePatch, status: 200, response: out.EventTypeOut })
  replace(@Param('eventTypeName') name: string, @Body() body: z.infer<typeof eventTypePatch>) {
    return this.change(name, body);
  }

  @Operation({ method: 'patch', path: '/api/v1/event-type/{event_type_name}', summary: 'Patch event type (admin)', access: 'admin', body: eventTypePatch, status: 200, response: out.EventTypeOut })
  update(@Param('eventTypeName') name: string, @Body() body: z.infer<typeof eventTypePatch>) {
    return this.change(name, body);
  }

  private async change(name: string, body: z.infer<typeof eventTypePatch>) {
    const type = await this.find(name);
    Object.assign(type, {
      ...(body.description !== undefined && { description: body.description }),
      ...(body.archived !== undefined && { archived: body.archived }),
      ...(body.schemas !== undefined && { schemas: body.schemas }),
      ...(body.featureFlag !== undefined && { featureFlag: body.featureFlag }),
    });
    return eventTypeOut(await this.eventTypes.save(type));
  }

  /** Archives rather than deletes, as Svix does: endpoints may still name the type. */
  @Operation({ method: 'delete', path: '/api/v1/event-type/{event_type_name}', summary: 'Archive event type (admin); it stays readable, with archived: true', access: 'admin', status: 204 })
  async archive(@Param('eventTypeName') name: string): Promise<void> {
    const type = await this.find(name);
    await this.eventTypes.update({ name: type.name }, { archived: true });
  }

  private async find(name: string): Promise<EventType> {
    const type = await this.eventTypes.findOneBy({ name });
    if (!type) throw notFound(`event type "${name}"`);
    return type;
  }
}
