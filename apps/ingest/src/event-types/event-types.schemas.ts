import { eventTypeName, jsonObject } from '@hookline/contracts';
import type { EventType } from '@hookline/database';
import { Ajv } from 'ajv';
import { z } from 'zod';
import { answer, listOf, listQuery, named, timestamps } from '../http/schemas.js';

/** A feature flag (Svix's): an event type flagged with one is shown only to app-portal sessions given it. */
export const featureFlag = z.string().min(1).max(256).regex(/^[a-zA-Z0-9\-_.]+$/, 'letters, digits, "-", "_" and "." only');
export const featureFlags = z.array(featureFlag).max(20);

/**
 * A payload's JSON Schema, checked against the JSON Schema meta-schema (draft-07, Svix's), as
 * data: no schema given here is ever compiled to code.
 */
const metaSchema = new Ajv({ strict: false, validateFormats: false });
const jsonSchema = jsonObject.superRefine((schema, context) => {
  if (metaSchema.validateSchema(schema)) return;
  for (const error of metaSchema.errors ?? []) {
    const at = error.instancePath.split('/').slice(1).map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
    context.addIssue({ code: 'custom', path: at, message: `not a valid JSON Schema (draft-07): ${error.message ?? 'invalid'}` });
  }
});

/** The payload's JSON Schema per version (`{"1": {...}}`), as Svix keeps an event type's schemas. Their `examples` are what send-example sends. */
const SCHEMA_VERSION = 'a schema version: "1", "2", ...';
const eventTypeSchemas = z.record(z.string().regex(/^[1-9][0-9]{0,8}$/, SCHEMA_VERSION), jsonSchema, { error: (issue) => (issue.code === 'invalid_key' ? SCHEMA_VERSION : undefined) });

/** The examples a schema gives: its `examples`, or its single `example` (older drafts and OpenAPI); none when it gives neither. */
export function examplesOf(schema: { examples?: unknown; example?: unknown }): unknown[] | undefined {
  if (Array.isArray(schema.examples)) return schema.examples;
  return schema.example === undefined ? undefined : [schema.example];
}

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

/**
 * Svix's EventTypeSchemaIn (generate-example): a JSON Schema that gives its example, since
 * Hookline answers with the schema's own first example and invents none: `examples` whose first
 * item is a JSON object (a payload always is), or a single `example` that is one.
 */
export const eventTypeSchemaIn = z.object({
  schema: jsonSchema.and(z.union([z.looseObject({ examples: z.tuple([jsonObject], z.unknown()) }), z.looseObject({ example: jsonObject })])),
});
export type EventTypeSchemaIn = z.infer<typeof eventTypeSchemaIn>;

/** Svix's EventTypeExampleOut: an example payload of the schema. */
export const EventTypeExampleOut = named('EventTypeExampleOut', z.object({ example: jsonObject }));
export type EventTypeExampleOut = z.output<typeof EventTypeExampleOut>;

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
export const ListResponseEventTypeOut = listOf('ListResponseEventTypeOut', EventTypeOut, eventTypeName, 'forward only');

export const eventTypeOut = answer(EventTypeOut, (type: EventType) => ({ schemas: type.schemas as Record<string, unknown> | null, featureFlag: type.featureFlags?.[0] ?? null }));
