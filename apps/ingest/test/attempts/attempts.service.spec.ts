import type { Application, Attempt, Endpoint, Message } from '@hookline/database';
import type { ApplicationsService } from '../../src/applications/applications.service.js';
import type { AttemptFilter, AttemptsRepository } from '../../src/attempts/attempts.repository.js';
import { AttemptsService } from '../../src/attempts/attempts.service.js';
import type { EndpointsService } from '../../src/endpoints/endpoints.service.js';
import type { MessageService } from '../../src/messages/message.service.js';
import { FakeRedelivery } from '../fakes.js';

const admin = { kind: 'admin' } as const;
const attempt = {
  id: 'at-1',
  messageId: 'msg-1',
  endpointId: 'ep-1',
  url: 'https://example.com',
  error: null,
  responseExcerpt: 'ok',
  responseStatusCode: 200,
  responseDurationMs: 12,
  succeeded: true,
  trigger: 'manual',
  createdAt: new Date('2026-01-01T00:00:00Z'),
} as Attempt;

/** The service over fakes that record the repository's filters and what is sent again. */
function attemptsService() {
  const filters: AttemptFilter[] = [];
  const redelivery = new FakeRedelivery();
  const repository = {
    page: async (filter: AttemptFilter) => {
      filters.push(filter);
      return { data: [attempt], iterator: 'at-1', prevIterator: null, done: true };
    },
  };
  const service = new AttemptsService(
    { resolve: async () => ({ id: 'app-1' }) as Application } as unknown as ApplicationsService,
    { find: async () => ({ id: 'ep-1' }) as Endpoint, findVerifiedIn: async () => ({ id: 'ep-1' }) as Endpoint } as unknown as EndpointsService,
    { findIn: async () => ({ id: 'msg-1' }) as Message } as unknown as MessageService,
    repository as unknown as AttemptsRepository,
    redelivery.asService(),
  );
  return { service, filters, redelivery };
}

describe('AttemptsService', () => {
  it("filters by Svix's status: 0 succeeded, 2 failed, none for all; 1 and 3 (never recorded) list nothing", async () => {
    const { service, filters } = attemptsService();
    const listed = await service.listByMessage(admin, 'acme', 'msg-1', { limit: 50, status: 0 });
    expect(listed.data).toEqual([
      { id: 'at-1', msgId: 'msg-1', endpointId: 'ep-1', url: 'https://example.com', response: 'ok', responseStatusCode: 200, responseDurationMs: 12, status: 0, statusText: 'success', triggerType: 1, timestamp: '2026-01-01T00:00:00.000Z' },
    ]);
    await service.listByEndpoint(admin, 'acme', 'ep-uid', { limit: 50, status: 2 });
    await service.listByEndpoint(admin, 'acme', 'ep-uid', { limit: 50 });
    expect(await service.listByEndpoint(admin, 'acme', 'ep-uid', { limit: 50, status: 1 })).toEqual({ data: [], iterator: null, prevIterator: null, done: true });
    expect(filters).toEqual([
      { messageId: 'msg-1', succeeded: true },
      { endpointId: 'ep-1', succeeded: false },
      { endpointId: 'ep-1', succeeded: undefined },
    ]);
  });

  it('resends one message to one endpoint and answers an empty object, which the svix SDK parses', async () => {
    const { service, redelivery } = attemptsService();
    expect(await service.resend(admin, 'acme', 'evt-1', 'ep-uid')).toEqual({});
    expect(redelivery.sent).toEqual([[{ message: { id: 'msg-1' }, endpointId: 'ep-1' }]]);
  });
});
