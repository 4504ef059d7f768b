import type { Upserted } from '../http/upsert.js';
import { eventTypeName } from '@hookline/contracts';
import type { EventType } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { conflictOnDuplicate, found, notFound, ValidationFailed } from '../http/errors.js';
import { type ListResponse, mapPage } from '../http/pagination.js';
import { patcher } from '../http/patch.js';
import { EventTypesRepository, type NewEventType } from './event-types.repository.js';
import type { EventTypeDeleteQuery, EventTypeExampleOut, EventTypeIn, EventTypeListQuery, EventTypeOut, EventTypePatch, EventTypeSchemaIn, EventTypeUpdate } from './event-types.schemas.js';
import { eventTypeOut, examplesOf } from './event-types.schemas.js';

/** The flags as stored: a list without repeats, or null for none. */
const flagList = (flags: readonly string[] | null) => (flags && flags.length > 0 ? [...new Set(flags)] : null);

const patch = patcher<EventTypePatch, EventType>({
  description: 'description',
  archived: 'archived',
  deprecated: 'deprecated',
  schemas: 'schemas',
  featureFlags: (type, flags) => {
    type.featureFlags = flagList(flags);
  },
  groupName: 'groupName',
});

/** What a PUT leaves out. */
const UPDATE_DEFAULTS = { archived: false, deprecated: false, schemas: null, featureFlags: null, groupName: null } satisfies EventTypePatch;

/** The flags that decide which flagged types the caller sees: an app-portal session its own; a key or the admin token, every type. */
const flagsOf = (principal: Principal): readonly string[] | null => (principal.kind === 'portal' ? principal.featureFlags : null);

/** Event types are shared by every application, as in Svix; only the operator changes them. */
@Injectable()
export class EventTypesService {
  constructor(private readonly eventTypes: EventTypesRepository) {}

  async create(body: EventTypeIn): Promise<EventTypeOut> {
    await conflictOnDuplicate(this.eventTypes.insert(this.fieldsOf(body.name, body)), `event type "${body.name}" already exists`);
    return eventTypeOut(await this.find(body.name));
  }

  /** A page by name; schemas only `with_content`, as Svix lists them. */
  async list(principal: Principal, query: EventTypeListQuery): Promise<ListResponse<EventTypeOut>> {
    const page = await this.eventTypes.page({ includeArchived: query.include_archived === 'true', featureFlags: flagsOf(principal) }, query);
    return mapPage(page, (type) => (query.with_content === 'true' ? eventTypeOut(type) : { ...eventTypeOut(type), schemas: null }));
  }

  /** The type, archived or not; one behind a feature flag the caller was not given is a 404. */
  async get(principal: Principal, name: string): Promise<EventTypeOut> {
    return eventTypeOut(found(await this.eventTypes.find(name, flagsOf(principal)), `event type "${name}"`));
  }

  /**
   * Svix's upsert: fields left out take their defaults, and a type of a new name is created. A
   * path that is not an event type's name names none that could exist: a 404, as for a GET.
   */
  async upsert(name: string, body: EventTypeUpdate): Promise<Upserted<EventTypeOut>> {
    const existing = await this.eventTypes.find(name);
    if (!existing && !eventTypeName.safeParse(name).success) throw notFound(`event type "${name}"`);
    if (!existing) return { created: true, resource: await this.create({ ...body, name }) };
    return { created: false, resource: eventTypeOut(await this.eventTypes.save(patch(existing, { ...UPDATE_DEFAULTS, ...body }))) };
  }

  async patch(name: string, body: EventTypePatch): Promise<EventTypeOut> {
    return eventTypeOut(await this.eventTypes.save(patch(await this.find(name), body)));
  }

  /** Archives rather than deletes, as Svix does (endpoints may still name the type), unless asked to expunge it. */
  async remove(name: string, query: EventTypeDeleteQuery): Promise<void> {
    const type = await this.find(name);
    await (query.expunge === 'true' ? this.eventTypes.delete(type.name) : this.eventTypes.archive(type.name));
  }

  /**
   * The example payload of the type that send-example sends: `examples[index]` (the first by
   * default) of its newest schema version that has examples, or that version's single `example`.
   * A 422 naming the body's field when the type does not exist (or is hidden from the caller),
   * has no example, or the one chosen is not a JSON object (a payload always is).
   */
  async example(principal: Principal, name: string, index: number | undefined): Promise<Record<string, unknown>> {
    const type = await this.eventTypes.find(name, flagsOf(principal));
    if (!type) throw new ValidationFailed([{ loc: ['body', 'eventType'], msg: `no event type "${name}"`, type: 'not_found' }]);
    const schemas = (type.schemas ?? {}) as Record<string, { examples?: unknown; example?: unknown }>;
    const newestFirst = Object.keys(schemas).sort((a, b) => Number(b) - Number(a));
    const version = newestFirst.find((key) => examplesOf(schemas[key]!) !== undefined);
    if (version === undefined) throw new ValidationFailed([{ loc: ['body', 'eventType'], msg: `event type "${name}" has no example: its schemas give no "examples"`, type: 'no_example' }]);
    const candidates = examplesOf(schemas[version]!)!;
    if ((index ?? 0) >= candidates.length) {
      throw new ValidationFailed([{ loc: ['body', 'exampleIndex'], msg: `event type "${name}" has ${candidates.length} example(s) in version ${version} of its schemas`, type: 'out_of_range' }]);
    }
    const chosen = candidates[index ?? 0];
    if (typeof chosen !== 'object' || chosen === null || Array.isArray(chosen)) {
      throw new ValidationFailed([{ loc: ['body', 'exampleIndex'], msg: `example ${index ?? 0} of event type "${name}" is not a JSON object, which a payload must be`, type: 'not_an_object' }]);
    }
    return chosen as Record<string, unknown>;
  }

  /**
   * Svix's generate-example, without generating: the schema's first example (its `examples`, or
   * its `example`), which the request schema requires to be a JSON object. Svix invents one from
   * the schema; no maintained generator is among Hookline's dependencies, and an invented payload
   * would not be one the operator chose.
   */
  generateExample(body: EventTypeSchemaIn): EventTypeExampleOut {
    return { example: examplesOf(body.schema)![0] as Record<string, unknown> };
  }

  /** The type as the operator sees it (every flag), or a 404 naming it. */
  async find(name: string): Promise<EventType> {
    return found(await this.eventTypes.find(name), `event type "${name}"`);
  }

  private fieldsOf(name: string, body: EventTypeUpdate): NewEventType {
    return patch({ name, ...UPDATE_DEFAULTS } as EventType, body);
  }
}
