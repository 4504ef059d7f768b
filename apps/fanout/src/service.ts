import type { ServiceSpec } from '@hookline/service';
import { FanoutModule } from './fanout.module.js';

/** How the fanout service runs: its feature module and what it consumes. */
export const service: ServiceSpec = {
  service: 'fanout',
  feature: FanoutModule,
  consumer: { groupId: 'fanout', subscriptions: [{ pattern: 'events', source: 'events' }], maxInFlightPerKey: 1 },
};
