import type { ServiceSpec } from '@hookline/service';
import { DeliveryModule } from './delivery.module.js';

/** How the delivery service runs: its feature module and what it consumes. */
export const service: ServiceSpec = {
  service: 'delivery',
  feature: DeliveryModule,
  // Keyed by endpoint id. The handler caps the requests in flight per endpoint (four); this cap
  // bounds how many of one endpoint's tasks wait for those, so a slow endpoint never fills the
  // partition's budget of unfinished records on its own.
  consumer: { groupId: 'delivery', subscriptions: [{ pattern: 'deliveries', source: 'deliveries' }], maxInFlightPerKey: 64 },
  produces: ['retryTiers', 'dead', 'operational', 'outcomes'],
};
