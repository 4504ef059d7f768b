import type { EventType } from '@hookline/database';
import type { EventTypesRepository, EventTypeVisibility, NewEventType } from '../../src/event-types/event-types.repository.js';
import { eventTypeIn, eventTypePatch, eventTypeSchemaIn } from '../../src/event-types/event-types.schemas.js';
import { EventTypesService } from '../../src/event-types/event-types.service.js';
import { answerOf } from '../fakes.js';

const admin = { kind: 'admin' } as const;
const portal = (featureFlags: string[]) => ({ kind: 'portal', applicationId: 'app-1', tokenHash: 'h', featureFlags }) as const;

describe('EventTypesService', () => {
  let rows: Map<string, EventType>;
  let service: EventTypesService;

  beforeEach(() => {
    rows = new Map();
    const at = new Date('2026-01-01T00:00:00Z');
    // The repository's visibility rule: a flagged type only for one of its flags, unless no flags are given (null).
    const visible = (type: EventType, flags: readonly string[] | null) => flags === null || type.featureFlags === null || type.featureFlags.some((flag) => flags.includes(flag));
    const repository = {
      insert: async (fields: NewEventType) => {
        if (rows.has(fields.name)) throw Object.assign(new Error('duplicate key'), { code: '23505' });
        rows.set(fields.name, { ...fields, createdAt: at, updatedAt: at });
      },
      find: async (name: string, flags: readonly string[] | null = null) => {
        const type = rows.get(name);
        return type && visible(type, flags) ? type : null;
      },
      save: async (type: EventType) => type,
      archive: async (name: string) => void (rows.get(name)!.archived = true),
      delete: async (name: string) => void rows.delete(name),
      page: async ({ includeArchived, featureFlags }: EventTypeVisibility) => ({
        data: [...rows.values()].filter((type) => (includeArchived || !type.archived) && visible(type, featureFlags)),
        iterator: null,
        prevIterator: null,
        done: true,
      }),
    };
    service = new EventTypesService(repository as unknown as EventTypesRepository);
  });

  it('creates a type once: the same name again is a 409, never an overwrite', async () => {
    expect(await service.create({ name: 'order.shipped', description: 'first' })).toMatchObject({
      name: 'order.shipped', description: 'first', archived: false, deprecated: false, schemas: null, featureFlags: null, featureFlag: null, groupName: null,
    });
    expect(await answerOf(service.create({ name: 'order.shipped', description: 'second' }))).toEqual({ status: 409, body: { code: 'conflict', detail: 'event type "order.shipped" already exists' } });
    expect(rows.get('order.shipped')!.description).toBe('first');
  });

  it('patches the fields given; a PUT resets the others, or creates the type; an older SDK’s single flag is a list of one', async () => {
    await service.create({ name: 'order.shipped', description: 'first', groupName: 'orders' });
    expect(await service.patch('order.shipped', eventTypePatch.parse({ featureFlag: 'beta', deprecated: true }))).toMatchObject({ description: 'first', featureFlags: ['beta'], featureFlag: 'beta', deprecated: true, groupName: 'orders' });
    expect(await service.upsert('order.shipped', { description: 'second' })).toMatchObject({ created: false, resource: { description: 'second', featureFlags: null, deprecated: false, groupName: null } });
    expect(await service.upsert('order.lost', { description: 'new', featureFlags: ['b', 'a', 'b'] })).toMatchObject({ created: true, resource: { name: 'order.lost', featureFlags: ['b', 'a'] } });
    expect(await answerOf(service.upsert('order lost!', { description: 'new' }))).toEqual({ status: 404, body: { code: 'not_found', detail: 'event type "order lost!" not found' } });
    expect(rows.has('order lost!')).toBe(false);
  });

  it('archives on delete, keeping the type readable, and deletes it for good with expunge', async () => {
    await service.create({ name: 'order.shipped', description: 'first' });
    await service.remove('order.shipped', { expunge: 'false' });
    expect(await service.get(admin, 'order.shipped')).toMatchObject({ archived: true });
    await service.remove('order.shipped', { expunge: 'true' });
    expect(await answerOf(service.get(admin, 'order.shipped'))).toEqual({ status: 404, body: { code: 'not_found', detail: 'event type "order.shipped" not found' } });
  });

  it('shows a flagged type to a portal session given one of its flags, to keys and the admin token always, and lists schemas only with content', async () => {
    await service.create({ name: 'open', description: 'no flag', schemas: { '1': { type: 'object' } } });
    await service.create({ name: 'beta.only', description: 'flagged', featureFlags: ['beta'] });
    const names = async (principal: Parameters<EventTypesService['list']>[0]) => (await service.list(principal, { limit: 50, include_archived: 'false', with_content: 'false' })).data.map((type) => type.name);
    expect(await names(admin)).toEqual(['open', 'beta.only']);
    expect(await names({ kind: 'application', applicationId: 'app-1' })).toEqual(['open', 'beta.only']);
    expect(await names(portal([]))).toEqual(['open']);
    expect(await names(portal(['beta']))).toEqual(['open', 'beta.only']);
    expect(await answerOf(service.get(portal(['gamma']), 'beta.only'))).toMatchObject({ status: 404 });
    expect((await service.list(admin, { limit: 50, include_archived: 'false', with_content: 'false' })).data[0]!.schemas).toBeNull();
    expect((await service.list(admin, { limit: 50, include_archived: 'false', with_content: 'true' })).data[0]!.schemas).toEqual({ '1': { type: 'object' } });
  });

  it("picks send-example's payload from the newest schema version with examples, and says why there is none", async () => {
    await service.create({ name: 'order.shipped', description: 'x', schemas: { '1': { examples: [{ v: 1 }] }, '2': { examples: [{ v: 2 }, { v: 3 }, 'text'] }, '3': { type: 'object' } } });
    await service.create({ name: 'bare', description: 'x' });
    expect(await service.example(admin, 'order.shipped', undefined)).toEqual({ v: 2 });
    expect(await service.example(admin, 'order.shipped', 1)).toEqual({ v: 3 });
    expect(await answerOf(service.example(admin, 'order.shipped', 3))).toEqual({ status: 422, body: { detail: [{ loc: ['body', 'exampleIndex'], msg: 'event type "order.shipped" has 3 example(s) in version 2 of its schemas', type: 'out_of_range' }] } });
    expect(await answerOf(service.example(admin, 'order.shipped', 2))).toMatchObject({ status: 422, body: { detail: [{ loc: ['body', 'exampleIndex'], type: 'not_an_object' }] } });
    expect(await answerOf(service.example(admin, 'missing', undefined))).toEqual({ status: 422, body: { detail: [{ loc: ['body', 'eventType'], msg: 'no event type "missing"', type: 'not_found' }] } });
    expect(await answerOf(service.example(admin, 'bare', undefined))).toEqual({ status: 422, body: { detail: [{ loc: ['body', 'eventType'], msg: 'event type "bare" has no example: its schemas give no "examples"', type: 'no_example' }] } });
  });

  it("answers generate-example with the schema's first example (or its single example); the request schema refuses a schema without one", () => {
    const parsed = (schema: Record<string, unknown>) => eventTypeSchemaIn.parse({ schema });
    expect(service.generateExample(parsed({ type: 'object', examples: [{ v: 1 }, { v: 2 }] }))).toEqual({ example: { v: 1 } });
    expect(service.generateExample(parsed({ type: 'object', example: { v: 3 } }))).toEqual({ example: { v: 3 } });
    // No example, none in the list, or a first one that is not a JSON object (a payload always is).
    for (const schema of [{ type: 'object' }, { type: 'object', examples: [] }, { type: 'string', examples: ['text', { v: 1 }] }, { type: 'object', example: 'text' }]) {
      expect([schema, eventTypeSchemaIn.safeParse({ schema }).success]).toEqual([schema, false]);
    }
  });

  it('takes schemas only as JSON Schemas by version, and an older SDK’s single flag into the list', () => {
    const problems = (body: unknown) => {
      const parsed = eventTypeIn.safeParse(body);
      return parsed.success ? [] : parsed.error.issues.map((issue) => [issue.path.join('.'), issue.message]);
    };
    expect(problems({ name: 'a', description: 'x', schemas: { '1': { type: 'object', properties: { id: { type: 'string' } }, examples: [{ id: 'x' }] } } })).toEqual([]);
    expect(problems({ name: 'a', description: 'x', schemas: { v1: { type: 'object' } } })).toEqual([['schemas.v1', 'a schema version: "1", "2", ...']]);
    expect(problems({ name: 'a', description: 'x', schemas: { '1': { type: 'object', required: 'id' } } })).toEqual([['schemas.1.required', 'not a valid JSON Schema (draft-07): must be array']]);
    // Not an object at all: refused as such, and never handed to the meta-schema check (a 500 once).
    expect(problems({ name: 'a', description: 'x', schemas: { '1': null, '2': [] } })).toEqual([['schemas.1', 'expected a JSON object'], ['schemas.2', 'expected a JSON object']]);
    expect(eventTypeIn.parse({ name: 'a', description: 'x', featureFlags: ['beta'], featureFlag: 'gamma' })).toEqual({ name: 'a', description: 'x', featureFlags: ['beta', 'gamma'] });
  });
});
