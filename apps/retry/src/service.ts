import { RETRY_HEADERS } from '@hookline/contracts';
import type { ServiceSpec } from '@hookline/service';
import { RetryModule } from './retry.module.js';

/** How the retry service runs: every tier topic, each task held until its due time. */
export const service: ServiceSpec = {
  service: 'retry',
  feature: RetryModule,
  // Once due, tasks of one endpoint (the key) need no order among themselves: the cap only bounds them.
  consumer: { groupId: 'retry', subscriptions: [{ pattern: 'retry', source: 'retryTiers' }], dueHeader: RETRY_HEADERS.dueAt, maxInFlightPerKey: 1_000 },
  produces: ['deliveries'],
};
