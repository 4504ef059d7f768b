import { EventType } from '@hookline/database';
import { Body, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { z } from 'zod';
import { CurrentPrincipal, type Principal, requireAdmin } from '../auth/auth.guard.js';
import { conflictOnDuplicate, notFound } from '../http/errors.js';
import { eventTypeOut } from './out.js';
import { paginate } from '../http/pagination.js';
import { eventTypeIn, eventTypeListQuery, eventTypePatch } from './schemas.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { ApiController } from '../http/api-controller.js';

/** Event types are shared by every application, as in Svix; only the operator changes them. */
@ApiController('api/v1/event-type')
export class EventTypesController {
  constructor(@InjectRepository(EventType) private readonly eventTypes: Repository<EventType>) {}

  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body(new ZodPipe(eventTypeIn)) body: z.infer<typeof eventTypeIn>) {
    requireAdmin(principal);
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

  @Get()
  list(@Query(new ZodPipe(eventTypeListQuery)) query: z.infer<typeof eventTypeListQuery>) {
    const builder = this.eventTypes.createQueryBuilder('type');
    if (query.include_archived === 'false') builder.where('type.archived = false');
    return paginate(builder, { columns: ['type.name'], of: (type) => [type.name] }, query, 'ascending', eventTypeOut);
  }

  @Get(':name')
  async get(@Param('name') name: string) {
    return eventTypeOut(await this.find(name));
  }

  @Put(':name')
  replace(@CurrentPrincipal() principal: Principal, @Param('name') name: string, @Body(new ZodPipe(eventTypePatch)) body: z.infer<typeof eventTypePatch>) {
    return this.update(principal, name, body);
  }

  @Patch(':name')
  async update(@CurrentPrincipal() principal: Principal, @Param('name') name: string, @Body(new ZodPipe(eventTypePatch)) body: z.infer<typeof eventTypePatch>) {
    requireAdmin(principal);
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
  @Delete(':name')
  @HttpCode(204)
  async archive(@CurrentPrincipal() principal: Principal, @Param('name') name: string): Promise<void> {
    requireAdmin(principal);
    const type = await this.find(name);
    await this.eventTypes.update({ name: type.name }, { archived: true });
  }

  private async find(name: string): Promise<EventType> {
    const type = await this.eventTypes.findOneBy({ name });
    if (!type) throw notFound(`event type "${name}"`);
    return type;
  }
}
