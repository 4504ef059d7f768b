import { Body, Param, Query } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { EventTypesService } from './event-types.service.js';
import {
  type EventTypeDeleteQuery,
  eventTypeDeleteQuery,
  EventTypeExampleOut,
  type EventTypeIn,
  eventTypeIn,
  type EventTypeListQuery,
  eventTypeListQuery,
  EventTypeOut,
  type EventTypePatch,
  eventTypePatch,
  type EventTypeSchemaIn,
  eventTypeSchemaIn,
  type EventTypeUpdate,
  eventTypeUpdate,
  ListResponseEventTypeOut,
} from './event-types.schemas.js';

@ApiController()
export class EventTypesController {
  constructor(private readonly eventTypes: EventTypesService) {}

  @Operation({
    method: 'get',
    path: '/api/v1/event-type',
    summary: 'List event types (schemas with with_content=true); an app-portal token sees a flagged type only with one of its flags',
    access: 'portal',
    query: eventTypeListQuery,
    status: 200,
    response: ListResponseEventTypeOut,
  })
  list(@CurrentPrincipal() principal: Principal, @Query() query: EventTypeListQuery) { return this.eventTypes.list(principal, query); }

  @Operation({ method: 'post', path: '/api/v1/event-type', summary: 'Create event type (admin)', access: 'admin', body: eventTypeIn, status: 201, response: EventTypeOut })
  create(@Body() body: EventTypeIn) { return this.eventTypes.create(body); }

  @Operation({
    method: 'post',
    path: '/api/v1/event-type/schema/generate-example',
    summary: "An example payload of a JSON Schema: the schema's first example (a 422 when it gives none: Hookline does not invent one)",
    access: 'admin',
    body: eventTypeSchemaIn,
    status: 200,
    response: EventTypeExampleOut,
  })
  generateExample(@Body() body: EventTypeSchemaIn) { return this.eventTypes.generateExample(body); }

  @Operation({ method: 'get', path: '/api/v1/event-type/{event_type_name}', summary: 'Get event type (archived ones too)', access: 'portal', status: 200, response: EventTypeOut })
  get(@CurrentPrincipal() principal: Principal, @Param('eventTypeName') name: string) { return this.eventTypes.get(principal, name); }

  @Operation({
    method: 'put',
    path: '/api/v1/event-type/{event_type_name}',
    summary: 'Update event type, or create it (admin); fields left out take their defaults',
    access: 'admin',
    body: eventTypeUpdate,
    status: 200,
    upsert: true,
    response: EventTypeOut,
  })
  upsert(@Param('eventTypeName') name: string, @Body() body: EventTypeUpdate) { return this.eventTypes.upsert(name, body); }

  @Operation({
    method: 'delete',
    path: '/api/v1/event-type/{event_type_name}',
    summary: 'Archive event type (admin); it stays readable, with archived: true. expunge=true deletes it',
    access: 'admin',
    query: eventTypeDeleteQuery,
    status: 204,
  })
  remove(@Param('eventTypeName') name: string, @Query() query: EventTypeDeleteQuery) { return this.eventTypes.remove(name, query); }

  @Operation({ method: 'patch', path: '/api/v1/event-type/{event_type_name}', summary: 'Patch event type (admin)', access: 'admin', body: eventTypePatch, status: 200, response: EventTypeOut })
  patch(@Param('eventTypeName') name: string, @Body() body: EventTypePatch) { return this.eventTypes.patch(name, body); }
}
