import type { ServiceSpec } from '@hookline/service';
import { RetryModule } from './retry.module.js';

/** How the retry service runs: its feature module and what it consumes. */
export const service: ServiceSpec = {
  service: 'retry',
  feature: RetryModule,
  consumer: { groupId: 'retry', subscriptions: [{ pattern: 'retry', source: 'retryTiers' }] },
};
