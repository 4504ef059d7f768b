import { eventTypeName, jsonObject } from '@hookline/contracts';
import type { EventType } from '@hookline/database';
import { z } from 'zod';
import { answer, listOf, listQuery, named, timestamps } from '../http/schemas.js';

export const eventTypeIn = z.object({
  name: eventTypeName,
  description: z.string().max(10_000),
  archived: z.boolean().optional(),
  deprecated: z.boolean().optional(),
  schemas: jsonObject.nullish(),
  featureFlag: z.string().max(256).nullish(),
});
export type EventTypeIn = z.infer<typeof eventTypeIn>;

export const eventTypePatch = eventTypeIn.omit({ name: true }).partial();
export type EventTypePatch = z.infer<typeof eventTypePatch>;

/** Event types are listed by name, and the iterator is the last name of the page before. */
export const eventTypeListQuery = listQuery.extend({
  iterator: eventTypeName.optional(),
  include_archived: z.enum(['true', 'false']).default('false'),
});
export type EventTypeListQuery = z.infer<typeof eventTypeListQuery>;

export const EventTypeOut = named(
  'EventTypeOut',
  z.object({
    name: eventTypeName,
    description: z.string(),
    archived: z.boolean(),
    deprecated: z.boolean(),
    schemas: jsonObject.nullable(),
    featureFlag: z.string().nullable(),
    ...timestamps,
  }),
);
export type EventTypeOut = z.output<typeof EventTypeOut>;
export const ListResponseEventTypeOut = listOf('ListResponseEventTypeOut', EventTypeOut, eventTypeName);

export const eventTypeOut = answer(EventTypeOut, (type: EventType) => ({ deprecated: false, schemas: type.schemas as Record<string, unknown> | null }));
