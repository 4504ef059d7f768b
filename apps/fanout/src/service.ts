import type { ServiceSpec } from '@hookline/service';
import { FanoutModule } from './fanout.module.js';
import { RouteRepository } from './routing/route.repository.js';

/** How the fanout service runs: its feature module and what it consumes. */
export const service: ServiceSpec = {
  service: 'fanout',
  feature: FanoutModule,
  // Keyed by application: one tenant's events run side by side, so that a busy tenant's events
  // share queries (routing/fanout.service.ts). Ordered endpoints need no order here: their
  // messages are ordered by position, and sent only once the progress recorded with each commit
  // has passed them (docs/adr/0012).
  consumer: { groupId: 'fanout', subscriptions: [{ pattern: 'events', source: 'events' }], maxInFlightPerKey: 256, progressListener: RouteRepository },
  produces: ['deliveries'],
};
