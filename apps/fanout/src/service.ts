import type { ServiceSpec } from '@hookline/service';
import { FanoutModule } from './fanout.module.js';

/** How the fanout service runs: its feature module and what it consumes. */
export const service: ServiceSpec = {
  service: 'fanout',
  feature: FanoutModule,
  // Keyed by application: one tenant's events run side by side (no order is promised past
  // fanout anyway), so that a busy tenant's events share queries (routing/fanout.service.ts).
  consumer: { groupId: 'fanout', subscriptions: [{ pattern: 'events', source: 'events' }], maxInFlightPerKey: 256 },
  produces: ['deliveries'],
};
