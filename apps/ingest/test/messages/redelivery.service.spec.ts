import type { Message } from '@hookline/database';
import type { MessagesRepository } from '../../src/messages/messages.repository.js';
import { RedeliveryService } from '../../src/messages/redelivery.service.js';
import { FakeProducer, ingestConfig } from '../fakes.js';

const at = new Date('2026-01-01T00:00:00Z');
const messageOf = (id: string) => ({ id, applicationId: 'app-1', eventType: 'order.shipped', eventId: null, payload: { id }, createdAt: at }) as unknown as Message;

describe('RedeliveryService', () => {
  it('sends many deliveries again a chunk of messages at a time, every ordered one reopened before any is sent', async () => {
    const calls: string[] = [];
    const producer = new FakeProducer();
    const repository = {
      // Every pair is of an ordered endpoint here, so each gets its key back.
      reopenOrdered: async (pairs: Array<{ messageId: string; endpointId: string }>) => {
        calls.push(`reopen ${pairs.length}`);
        return new Map(pairs.map(({ messageId, endpointId }) => [`${messageId} ${endpointId}`, `key-${messageId}`]));
      },
      findByIds: async (ids: string[]) => {
        calls.push(`read ${ids.length}`);
        // One message of the chunk was expunged meanwhile: it is skipped, not sent.
        return ids.map(messageOf).map((message) => (message.id === 'm-7' ? { ...message, payload: null } : message));
      },
      markPending: async (pairs: unknown[]) => void calls.push(`pending ${pairs.length}`),
    };
    const service = new RedeliveryService(ingestConfig(), producer.asProducer(), repository as unknown as MessagesRepository);
    const pairs = Array.from({ length: 120 }, (_, n) => ({ messageId: `m-${n}`, endpointId: 'ep-1' }));

    expect(await service.redeliverMany(pairs)).toBe(119);
    expect(calls).toEqual(['reopen 120', 'read 50', 'pending 49', 'read 50', 'pending 50', 'read 20', 'pending 20']);
    const tasks = producer.values('unit.deliveries') as Array<{ messageId: string; orderingKey?: string; payload: unknown }>;
    expect(tasks.map((task) => task.messageId)).toEqual(pairs.map((pair) => pair.messageId).filter((id) => id !== 'm-7'));
    expect(tasks[0]).toMatchObject({ messageId: 'm-0', orderingKey: 'key-m-0', payload: { id: 'm-0' } });
  });
});
