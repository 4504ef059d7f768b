import type { EventType } from '@hookline/database';
import type { EventTypesRepository } from '../../src/event-types/event-types.repository.js';
import { EventTypesService } from '../../src/event-types/event-types.service.js';
import { answerOf } from '../fakes.js';

describe('EventTypesService', () => {
  let rows: Map<string, EventType>;
  let service: EventTypesService;

  beforeEach(() => {
    rows = new Map();
    const at = new Date('2026-01-01T00:00:00Z');
    const repository = {
      insert: async (fields: Pick<EventType, 'name' | 'description' | 'archived' | 'schemas' | 'featureFlag'>) => {
        if (rows.has(fields.name)) throw Object.assign(new Error('duplicate key'), { code: '23505' });
        rows.set(fields.name, { ...fields, createdAt: at, updatedAt: at });
      },
      find: async (name: string) => rows.get(name) ?? null,
      save: async (type: EventType) => type,
      archive: async (name: string) => void (rows.get(name)!.archived = true),
    };
    service = new EventTypesService(repository as unknown as EventTypesRepository);
  });

  it('creates a type once: the same name again is a 409, never an overwrite', async () => {
    expect(await service.create({ name: 'order.shipped', description: 'first' })).toMatchObject({ name: 'order.shipped', description: 'first', archived: false, deprecated: false, schemas: null });
    expect(await answerOf(service.create({ name: 'order.shipped', description: 'second' }))).toEqual({ status: 409, body: { code: 'conflict', detail: 'event type "order.shipped" already exists' } });
    expect(rows.get('order.shipped')!.description).toBe('first');
  });

  it('changes the fields given, keeps an archived type readable, and names a missing type in its 404', async () => {
    await service.create({ name: 'order.shipped', description: 'first' });
    expect(await service.update('order.shipped', { featureFlag: 'beta', deprecated: true })).toMatchObject({ description: 'first', featureFlag: 'beta', deprecated: false });
    await service.archive('order.shipped');
    expect(await service.get('order.shipped')).toMatchObject({ archived: true });
    expect(await answerOf(service.get('order.lost'))).toEqual({ status: 404, body: { code: 'not_found', detail: 'event type "order.lost" not found' } });
  });
});
