import type { Application, Attempt, Endpoint, Message, MessageEndpoint } from '@hookline/database';
import type { ApplicationsService } from '../../src/applications/applications.service.js';
import type { AttemptFilter, AttemptsRepository } from '../../src/attempts/attempts.repository.js';
import { AttemptsService } from '../../src/attempts/attempts.service.js';
import type { AttemptedMessageFilter, DeliveryStatusesRepository } from '../../src/attempts/delivery-statuses.repository.js';
import type { EndpointLookup } from '../../src/endpoints/endpoint-lookup.js';
import type { MessageService } from '../../src/messages/message.service.js';
import { answerOf, FakeRedelivery } from '../fakes.js';

const admin = { kind: 'admin' } as const;
const at = new Date('2026-01-01T00:00:00Z');
const message = { id: 'msg-1', applicationId: 'app-1', eventType: 'order.shipped', eventId: 'evt-1', channels: ['eu'], payload: { order: 1 }, createdAt: at } as unknown as Message;
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
  createdAt: at,
} as Attempt;
const endpoint = { id: 'ep-1', uid: null, url: 'https://example.com', description: '', rateLimit: 5, disabled: false, eventTypes: null, channels: ['eu'], metadata: {}, createdAt: at, updatedAt: at } as unknown as Endpoint;
const row = (status: MessageEndpoint['status'], nextAttemptAt: Date | null) => ({ messageId: 'msg-1', endpointId: 'ep-1', status, nextAttemptAt, message, endpoint }) as MessageEndpoint & { message: Message; endpoint: Endpoint };
const page = <T>(data: T[]) => ({ data, iterator: 'x', prevIterator: null, done: true });
const defaults = { limit: 50, with_content: 'true' as const };

/** The service over fakes that record the repositories' filters and what is sent again. */
function attemptsService(statusRows = [row('pending', null)]) {
  const filters: AttemptFilter[] = [];
  const statusFilters: AttemptedMessageFilter[] = [];
  const redelivery = new FakeRedelivery();
  const attempts = {
    page: async (filter: AttemptFilter) => {
      filters.push(filter);
      return page([filter.withMessage ? { ...attempt, message } : attempt]);
    },
    findOfMessage: async (messageId: string, attemptId: string) => (messageId === 'msg-1' && attemptId === 'at-1' ? attempt : null),
  };
  const statuses = {
    // Read without payloads, as the repository reads them; withPayloads (below) adds them.
    messagesOf: async (_endpointId: string, filter: AttemptedMessageFilter) => {
      statusFilters.push(filter);
      return page(statusRows.map((status) => ({ ...status, message: { ...status.message, payload: undefined } })));
    },
    endpointsOf: async () => page(statusRows),
  };
  const service = new AttemptsService(
    { resolve: async () => ({ id: 'app-1' }) as Application } as unknown as ApplicationsService,
    {
      find: async () => endpoint,
      findVerifiedIn: async () => endpoint,
      lookup: async (_app: string, key: string) => (key === 'ep-uid' ? endpoint : null),
    } as unknown as EndpointLookup,
    {
      findIn: async () => message,
      withPayloads: async <R>(read: { data: R[] }, messageOf: (row: R) => Message) => {
        for (const status of read.data) messageOf(status).payload = message.payload;
        return read;
      },
    } as unknown as MessageService,
    attempts as unknown as AttemptsRepository,
    statuses as unknown as DeliveryStatusesRepository,
    redelivery.asService(),
  );
  return { service, filters, statusFilters, redelivery };
}

describe('AttemptsService', () => {
  it("filters by Svix's status: 0 succeeded, 2 failed, none for all; 1, 3 and 4 (never recorded) and any tag list nothing", async () => {
    const { service, filters } = attemptsService();
    const listed = await service.listByMessage(admin, 'acme', 'msg-1', { ...defaults, status: 0 });
    expect(listed.data).toEqual([
      { id: 'at-1', msgId: 'msg-1', endpointId: 'ep-1', url: 'https://example.com', response: 'ok', responseStatusCode: 200, responseDurationMs: 12, status: 0, statusText: 'success', triggerType: 1, timestamp: '2026-01-01T00:00:00.000Z' },
    ]);
    await service.listByEndpoint(admin, 'acme', 'ep-uid', { ...defaults, with_msg: 'false', status: 2, status_code_class: 500, channel: 'eu', event_types: 'order.shipped' });
    await service.listByEndpoint(admin, 'acme', 'ep-uid', { ...defaults, with_msg: 'false', before: at });
    for (const status of [1, 3, 4] as const) expect(await service.listByEndpoint(admin, 'acme', 'ep-uid', { ...defaults, with_msg: 'false', status })).toEqual({ data: [], iterator: null, prevIterator: null, done: true });
    expect((await service.listByEndpoint(admin, 'acme', 'ep-uid', { ...defaults, with_msg: 'false', tag: 'vip' })).data).toEqual([]);
    expect(filters).toEqual([
      { messageId: 'msg-1', succeeded: true, statusCodeClass: undefined, channel: undefined, eventTypes: undefined, before: undefined, after: undefined },
      { endpointId: 'ep-1', withMessage: false, succeeded: false, statusCodeClass: 500, channel: 'eu', eventTypes: ['order.shipped'], before: undefined, after: undefined },
      { endpointId: 'ep-1', withMessage: false, succeeded: undefined, statusCodeClass: undefined, channel: undefined, eventTypes: undefined, before: at, after: undefined },
    ]);
  });

  it('leaves the response out without content, and gives the message without its payload with_msg', async () => {
    const { service } = attemptsService();
    const [listed] = (await service.listByEndpoint(admin, 'acme', 'ep-1', { limit: 50, with_content: 'false', with_msg: 'true' })).data;
    expect(listed).toMatchObject({ response: '', msg: { id: 'msg-1', eventType: 'order.shipped', eventId: 'evt-1', channels: ['eu'], payload: {} } });
  });

  it("narrows a message's attempts to an endpoint of the application, and to nothing for one it does not have", async () => {
    const { service, filters } = attemptsService();
    await service.listByMessage(admin, 'acme', 'msg-1', { ...defaults, endpoint_id: 'ep-uid' });
    expect(filters[0]).toMatchObject({ messageId: 'msg-1', endpointId: 'ep-1' });
    expect((await service.listByMessage(admin, 'acme', 'msg-1', { ...defaults, endpoint_id: 'elsewhere' })).data).toEqual([]);
    expect(filters).toHaveLength(1);
  });

  it('gets one attempt of the message, and a 404 for any other', async () => {
    const { service } = attemptsService();
    expect(await service.get(admin, 'acme', 'evt-1', 'at-1')).toMatchObject({ id: 'at-1', response: 'ok' });
    expect(await answerOf(service.get(admin, 'acme', 'evt-1', 'at-2'))).toEqual({ status: 404, body: { code: 'not_found', detail: 'attempt not found' } });
  });

  it("tells where a message stands with an endpoint in Svix's terms: pending while an attempt is due, failed once none is", async () => {
    const rows = [row('pending', null), row('failed', new Date('2026-01-01T00:05:00Z')), row('failed', null), row('dead', null), row('succeeded', null)];
    const { service, statusFilters } = attemptsService(rows);
    const messages = await service.listAttemptedMessages(admin, 'acme', 'ep-1', { ...defaults, status: 1, channel: 'eu' });
    expect(messages.data.map(({ status, statusText, nextAttempt }) => [status, statusText, nextAttempt])).toEqual([
      [1, 'pending', null],
      [1, 'pending', '2026-01-01T00:05:00.000Z'],
      [2, 'fail', null],
      [2, 'fail', null],
      [0, 'success', null],
    ]);
    expect(messages.data[0]).toMatchObject({ id: 'msg-1', eventType: 'order.shipped', payload: { order: 1 } });
    expect(statusFilters).toEqual([{ status: 1, channel: 'eu', eventTypes: undefined, before: undefined, after: undefined }]);
    expect((await service.listAttemptedMessages(admin, 'acme', 'ep-1', { limit: 50, with_content: 'false' })).data[0]!.payload).toEqual({});
    expect((await service.listAttemptedMessages(admin, 'acme', 'ep-1', { ...defaults, status: 3 })).data).toEqual([]);
    const destinations = await service.listAttemptedDestinations(admin, 'acme', 'msg-1', { limit: 50 });
    expect(destinations.data[1]).toEqual({
      id: 'ep-1', uid: null, url: 'https://example.com', description: '', throttleRate: 5, disabled: false, eventTypes: null, channels: ['eu'],
      createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', status: 1, statusText: 'pending', nextAttempt: '2026-01-01T00:05:00.000Z',
    });
  });

  it('resends one message to one endpoint and answers an empty object, which the svix SDK parses', async () => {
    const { service, redelivery } = attemptsService();
    expect(await service.resend(admin, 'acme', 'evt-1', 'ep-uid')).toEqual({});
    expect(redelivery.sent).toEqual([[{ message, endpointId: 'ep-1' }]]);
  });
});
