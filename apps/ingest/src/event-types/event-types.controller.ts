import { Body, Param, Query } from '@nestjs/common';
import { ApiController } from '../http/api-controller.js';
import { Operation } from '../http/operation.js';
import { EventTypesService } from './event-types.service.js';
import {
  type EventTypeIn,
  eventTypeIn,
  type EventTypeListQuery,
  eventTypeListQuery,
  EventTypeOut,
  type EventTypePatch,
  eventTypePatch,
  ListResponseEventTypeOut,
} from './event-types.schemas.js';

@ApiController()
export class EventTypesController {
  constructor(private readonly eventTypes: EventTypesService) {}

  @Operation({ method: 'get', path: '/api/v1/event-type', summary: 'List event types', access: 'token', query: eventTypeListQuery, status: 200, response: ListResponseEventTypeOut })
  list(@Query() query: EventTypeListQuery) { return this.eventTypes.list(query); }

  @Operation({ method: 'post', path: '/api/v1/event-type', summary: 'Create event type (admin)', access: 'admin', body: eventTypeIn, status: 201, response: EventTypeOut })
  create(@Body() body: EventTypeIn) { return this.eventTypes.create(body); }

  @Operation({ method: 'get', path: '/api/v1/event-type/{event_type_name}', summary: 'Get event type (archived ones too)', access: 'token', status: 200, response: EventTypeOut })
  get(@Param('eventTypeName') name: string) { return this.eventTypes.get(name); }

  @Operation({ method: 'put', path: '/api/v1/event-type/{event_type_name}', summary: 'Update event type (admin)', access: 'admin', body: eventTypePatch, status: 200, response: EventTypeOut })
  replace(@Param('eventTypeName') name: string, @Body() body: EventTypePatch) { return this.eventTypes.update(name, body); }

  @Operation({ method: 'delete', path: '/api/v1/event-type/{event_type_name}', summary: 'Archive event type (admin); it stays readable, with archived: true', access: 'admin', status: 204 })
  archive(@Param('eventTypeName') name: string) { return this.eventTypes.archive(name); }

  @Operation({ method: 'patch', path: '/api/v1/event-type/{event_type_name}', summary: 'Patch event type (admin)', access: 'admin', body: eventTypePatch, status: 200, response: EventTypeOut })
  patch(@Param('eventTypeName') name: string, @Body() body: EventTypePatch) { return this.eventTypes.update(name, body); }
}
