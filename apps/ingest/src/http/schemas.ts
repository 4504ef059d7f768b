import { z } from 'zod';

// The pieces every resource's schemas share. Bodies, queries and answers use the svix SDK's (2.x)
// field names (its models are the contract); unknown request fields are ignored, as Svix does.

/** Named response schemas: the OpenAPI document lists each under components.schemas, by that name. */
export const responses = z.registry<{ id: string }>();

/** Registers a response schema under its name in the document. */
export const named = <T extends z.ZodType>(id: string, schema: T): T => {
  responses.add(schema, { id });
  return schema;
};

/** A UUID, as a regular expression's source, for iterators made of ids. */
export const UUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** Text that is a UUID, in either case. */
export const UUID_TEXT = new RegExp(`^${UUID_PATTERN}$`);

export const id = z.uuid();
/**
 * A caller-chosen name of an application or endpoint, as Svix's pattern has it, except that it may
 * not look like an id: paths take either, and the id must always be what a UUID names.
 */
export const uid = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[a-zA-Z0-9\-_.]+$/, 'letters, digits, "-", "_" and "." only')
  .refine((text) => !UUID_TEXT.test(text), 'must not look like an id (a UUID, in any case): ids and uids name resources in the same places')
  .meta({ not: { pattern: UUID_TEXT.source } });
export const metadata = z.record(z.string(), z.string());
export const throttleRate = z.number().int().min(1).max(100_000).nullable();

/** The OpenTelemetry trace a message or attempt was written in (Hookline's own field); null when none was recorded. */
export const traceId = z.string().regex(/^[0-9a-f]{32}$/).nullable();

/** A time in an answer. */
export const timestamp = z.iso.datetime({ offset: true });

/** When a resource was created and last changed, the last fields of its answer. */
export const timestamps = { createdAt: timestamp, updatedAt: timestamp };

/**
 * A time the caller gives (RFC 3339), taken as the instant it names: PostgreSQL refuses offsets
 * beyond ±15:59, which RFC 3339 allows up to ±23:59, so the handler gets a Date rather than the text.
 */
export const instant = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

/**
 * The iterator of a listing ordered by a key that never begins with "-": the key of the last row
 * of the page before, or "-" and the key of the first row of the page after (Svix's prevIterator).
 */
export const reversibleIterator = (keyPattern: string, key: string) =>
  z.string().regex(new RegExp(`^-?${keyPattern}$`), `not an iterator returned by this API (${key}, after a "-" for the page before)`);

/** The iterator of a listing ordered by UUIDv7 id. */
export const idIterator = reversibleIterator(UUID_PATTERN, 'a UUID');

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(250).default(50),
  iterator: idIterator.optional(),
  order: z.enum(['ascending', 'descending']).optional(),
});
export type ListQuery = z.infer<typeof listQuery>;

/**
 * A page of a listing, in Svix's shape; `iterator` and `prevIterator` are what the next and the
 * previous page's `iterator` take. A listing whose keys may begin with "-" pages forward only.
 */
export const listOf = (name: string, item: z.ZodType, iterator: z.ZodString, paging: 'both ways' | 'forward only' = 'both ways') =>
  named(name, z.object({ data: z.array(item), iterator: iterator.nullable(), prevIterator: paging === 'both ways' ? iterator.nullable() : z.null(), done: z.boolean() }));

/** The fields of an answer that are the row's property of the same name: as it is, or a Date as its ISO string. */
type Copied<O, E> = {
  [K in keyof O & keyof E]: E[K] extends O[K] ? K : E[K] extends Date ? (string extends O[K] ? K : never) : E[K] extends Date | null ? (string | null extends O[K] ? K : never) : never;
}[keyof O & keyof E];

/** The fields the row cannot give as they are, which the answer computes (and any others it computes instead). */
type Computed<O, E> = Omit<O, Copied<O, E>> & Partial<Pick<O, Copied<O, E>>>;

/**
 * The mapper from a row to an answer of `schema`: each field is the row's property of the same
 * name (a Date as its ISO string), unless `compute` gives it, as it must for the others.
 */
export function answer<S extends z.ZodObject, E extends object>(schema: S, compute: (row: E) => Computed<z.output<S>, E>): (row: E) => z.output<S> {
  const fields = Object.keys(schema.shape);
  return (row) => {
    const computed: Record<string, unknown> = compute(row);
    const given = row as Record<string, unknown>;
    return Object.fromEntries(fields.map((field) => [field, field in computed ? computed[field] : given[field] instanceof Date ? given[field].toISOString() : given[field]])) as z.output<S>;
  };
}
