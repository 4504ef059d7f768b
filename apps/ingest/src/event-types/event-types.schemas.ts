import { eventTypeName, jsonObject } from '@hookline/contracts';
import type { EventType } from '@hookline/database';
import { Ajv } from 'ajv';
import { z } from 'zod';
import { answer, listOf, listQuery, named, timestamps } from '../http/schemas.js';

/** A feature flag (Svix's): an event type flagged with one is shown only to app-portal sessions given it. */
export const featureFlag = z.string().min(1).max(256).regex(/^[a-zA-Z0-9\-_.]+$/, 'letters, digits, "-", "_" and "." only');
export const featureFlags = z.array(featureFlag).max(20);

/**
 * The payload's JSON Schema per version (`{"1": {...}}`), as Svix keeps an event type's schemas.
 * Each is checked against the JSON Schema meta-schema (draft-07, Svix's), as data: no schema given
 * here is ever compiled to code. Its `examples` are what send-example sends.
 */
const metaSchema = new Ajv({ strict: false, validateFormats: false });
const SCHEMA_VERSION = 'a schema version: "1", "2", ...';
const eventTypeSchemas = z.record(z.string().regex(/^[1-9][0-9]{0,8}$/, SCHEMA_VERSION), jsonObject, { error: (issue) => (issue.code === 'invalid_key' ? SCHEMA_VERSION : undefined) }).superRefine((schemas, context) => {
  for (const [version, schema] of Object.entries(schemas)) {
    if (metaSchema.validateSchema(schema)) continue;
    for (const error of metaSchema.errors ?? []) {
      const at = error.instancePath.split('/').slice(1).map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
      context.addIssue({ code: 'custom', path: [version, ...at], message: `not a valid JSON Schema (draft-07): ${error.message ?? 'invalid'}` });
    }
  }
});

const eventTypeFields = z.object({
  name: eventTypeName,
  description: z.string().max(10_000),
  archived: z.boolean().optional(),
  deprecated: z.boolean().optional(),
  schemas: eventTypeSchemas.nullish(),
  featureFlags: featureFlags.nullish(),
  /** The single flag of older svix SDKs, added to featureFlags. */
  featureFlag: featureFlag.nullish(),
  groupName: z.string().min(1).max(256).nullish(),
});

/** Older SDKs' single `featureFlag` joins the list (`featureFlags`), which is all the rest reads. */
const oneFlagList = <T extends { featureFlags?: string[] | null; featureFlag?: string | null }>({ featureFlag, ...body }: T) => {
  if (featureFlag == null) return body;
  return { ...body, featureFlags: [...(body.featureFlags ?? []), featureFlag] };
};

/** Svix's EventTypeIn (create). */
export const eventTypeIn = eventTypeFields.transform(oneFlagList);
export type EventTypeIn = z.output<typeof eventTypeIn>;

/** Svix's EventTypeUpdate (PUT): the type without its name, which the path gives. */
export const eventTypeUpdate = eventTypeFields.omit({ name: true }).transform(oneFlagList);
export type EventTypeUpdate = z.output<typeof eventTypeUpdate>;

export const eventTypePatch = eventTypeFields.omit({ name: true }).partial().transform(oneFlagList);
export type EventTypePatch = z.output<typeof eventTypePatch>;

/** Event types are listed by name, and the iterator is the last name of the page before. */
export const eventTypeListQuery = listQuery.extend({
  iterator: eventTypeName.optional(),
  include_archived: z.enum(['true', 'false']).default('false'),
  /** Svix's default: the listing leaves each type's schemas out unless asked for them. */
  with_content: z.enum(['true', 'false']).default('false'),
});
export type EventTypeListQuery = z.infer<typeof eventTypeListQuery>;

/** DELETE archives the type, as Svix does; `expunge=true` deletes it for good. */
export const eventTypeDeleteQuery = z.object({ expunge: z.enum(['true', 'false']).default('false') });
export type EventTypeDeleteQuery = z.infer<typeof eventTypeDeleteQuery>;

export const EventTypeOut = named(
  'EventTypeOut',
  z.object({
    name: eventTypeName,
    description: z.string(),
    archived: z.boolean(),
    deprecated: z.boolean(),
    schemas: jsonObject.nullable(),
    featureFlags: z.array(z.string()).nullable(),
    /** Older SDKs' single flag: the first of featureFlags. */
    featureFlag: z.string().nullable(),
    groupName: z.string().nullable(),
    ...timestamps,
  }),
);
export type EventTypeOut = z.output<typeof EventTypeOut>;
export const ListResponseEventTypeOut = listOf('ListResponseEventTypeOut', EventTypeOut, eventTypeName);

export const eventTypeOut = answer(EventTypeOut, (type: EventType) => ({ schemas: type.schemas as Record<string, unknown> | null, featureFlag: type.featureFlags?.[0] ?? null }));
