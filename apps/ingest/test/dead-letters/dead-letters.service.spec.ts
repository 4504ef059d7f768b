import type { Application, Endpoint, Message } from '@hookline/database';
import type { ApplicationsService } from '../../src/applications/applications.service.js';
import type { DeadLetterFilter, DeadLettersRepository, StatusWithMessage } from '../../src/dead-letters/dead-letters.repository.js';
import { DeadLettersService } from '../../src/dead-letters/dead-letters.service.js';
import type { EndpointLookup } from '../../src/endpoints/endpoint-lookup.js';
import { ApiError } from '../../src/http/errors.js';
import { answerOf, FakeRedelivery } from '../fakes.js';

const application = { id: 'app-1' } as Application;
const admin = { kind: 'admin' } as const;
const message = { id: 'msg-1', eventType: 'order.shipped' } as Message;
const dead = { messageId: 'msg-1', endpointId: 'ep-1', attemptCount: 9, lastAttemptAt: new Date('2026-01-02T00:00:00Z'), message } as StatusWithMessage;
const pair = { messageId: 'msg-1', endpointId: 'ep-1' };

describe('DeadLettersService', () => {
  let queries: Array<{ what: string; filter?: DeadLetterFilter }>;
  let redelivery: FakeRedelivery;
  let service: DeadLettersService;

  beforeEach(() => {
    queries = [];
    redelivery = new FakeRedelivery();
    const endpoints = {
      lookup: async (_: string, idOrUid: string) => (idOrUid === 'ep-uid' ? ({ id: 'ep-1' } as Endpoint) : null),
      findVerifiedIn: async (_: Application, idOrUid: string) => {
        if (idOrUid === 'unverified') throw new ApiError(409, 'endpoint_not_verified', 'not yet');
        return { id: 'ep-1' } as Endpoint;
      },
    };
    const repository = {
      page: async (_: string, filter: DeadLetterFilter) => {
        queries.push({ what: 'page', filter });
        return { data: [dead], iterator: 'msg-1:ep-1', prevIterator: null, done: true };
      },
      forReplay: async (_: string, filter: DeadLetterFilter) => {
        queries.push({ what: 'replay', filter });
        return [pair];
      },
      failedOn: async () => {
        queries.push({ what: 'failed' });
        return [pair];
      },
    };
    const applications = { resolve: async () => application };
    service = new DeadLettersService(
      applications as unknown as ApplicationsService,
      endpoints as unknown as EndpointLookup,
      repository as unknown as DeadLettersRepository,
      redelivery.asService(),
    );
  });

  it('lists dead letters narrowed to the endpoint named by uid, in their answer shape', async () => {
    const page = await service.list(admin, 'acme', { limit: 50, endpoint_id: 'ep-uid' });
    expect(page).toEqual({ data: [{ msgId: 'msg-1', endpointId: 'ep-1', eventType: 'order.shipped', attempts: 9, deadAt: '2026-01-02T00:00:00.000Z' }], iterator: 'msg-1:ep-1', prevIterator: null, done: true });
    expect(queries).toEqual([{ what: 'page', filter: { endpointId: 'ep-1', since: undefined, until: undefined } }]);
  });

  it("treats an endpoint the application lacks as a filter that matches nothing: an empty page, no replay, and no query", async () => {
    expect(await service.list(admin, 'acme', { limit: 50, endpoint_id: 'elsewhere' })).toEqual({ data: [], iterator: null, prevIterator: null, done: true });
    expect(await service.replay(admin, 'acme', { endpointId: 'elsewhere' })).toEqual({ replayed: 0 });
    expect({ queries, redelivered: redelivery.sentMany }).toEqual({ queries: [], redelivered: [] });
  });

  it('replays what the repository selects, and recovers only a verified endpoint', async () => {
    expect(await service.replay(admin, 'acme', {})).toEqual({ replayed: 1 });
    expect(await service.recover(admin, 'acme', 'ep-1', { since: new Date(0) })).toMatchObject({ status: 'finished', task: 'endpoint.recover' });
    expect(redelivery.sentMany).toEqual([[pair], [pair]]);
    expect(await answerOf(service.recover(admin, 'acme', 'unverified', { since: new Date(0) }))).toEqual({ status: 409, body: { code: 'endpoint_not_verified', detail: 'not yet' } });
    expect(redelivery.sentMany).toHaveLength(2);
  });
});
