import type { KafkaLifecycle } from '@hookline/kafka';
import { createLogger } from '@hookline/logging';
import type { ApplicationsService } from '../../src/applications/applications.service.js';
import type { EndpointLookup } from '../../src/endpoints/endpoint-lookup.js';
import type { EndpointsRepository } from '../../src/endpoints/endpoints.repository.js';
import type { StatsRepository } from '../../src/stats/stats.repository.js';
import { StatsService } from '../../src/stats/stats.service.js';
import { answerOf, ingestConfig } from '../fakes.js';

const DAY = 86_400_000;

describe('StatsService: the ranges it counts over', () => {
  const ranges: Array<{ since: Date; until: Date }> = [];
  const endpoint = { id: 'ep-1', applicationId: 'app-1', disabled: false, updatedAt: new Date(0) };
  const repository = {
    endpointAttempts: async (_endpoint: unknown, since: Date, until: Date) => (ranges.push({ since, until }), { success: 1, fail: 0 }),
    deliveries: async () => new Map(),
    latestOutcomes: async () => [],
  };
  const service = new StatsService(
    ingestConfig(),
    {} as ApplicationsService,
    { find: async () => endpoint } as unknown as EndpointLookup,
    {} as EndpointsRepository,
    repository as unknown as StatsRepository,
    {} as KafkaLifecycle,
    createLogger('test', 'silent'),
  );
  beforeEach(() => ranges.splice(0));

  it("counts an endpoint's last 28 days unless asked otherwise, as the open-source Svix server does", async () => {
    const before = Date.now();
    expect(await service.endpoint({ kind: 'admin' }, 'app-1', 'ep-1', {})).toMatchObject({ success: 1, fail: 0 });
    const [{ since, until }] = ranges as [{ since: Date; until: Date }];
    expect(until.getTime()).toBeGreaterThanOrEqual(before);
    expect(until.getTime() - since.getTime()).toBe(28 * DAY);
  });

  it('takes the range asked for, up to 31 days, and refuses a wider one naming since', async () => {
    const until = new Date('2026-12-01T00:00:00Z');
    await service.endpoint({ kind: 'admin' }, 'app-1', 'ep-1', { since: new Date(until.getTime() - 31 * DAY), until });
    expect(ranges).toEqual([{ since: new Date(until.getTime() - 31 * DAY), until }]);
    expect(await answerOf(service.endpoint({ kind: 'admin' }, 'app-1', 'ep-1', { since: new Date(until.getTime() - 32 * DAY), until }))).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ['query', 'since'], type: 'range_too_wide' }] },
    });
  });
});
