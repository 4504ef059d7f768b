import type { ServiceSpec } from '@hookline/service';
import { DeliveryModule } from './delivery.module.js';

/** How the delivery service runs: its feature module and what it consumes. */
export const service: ServiceSpec = {
  service: 'delivery',
  feature: DeliveryModule,
  // Keyed by endpoint id: a slow endpoint holds at most four slots, never the partition.
  consumer: { groupId: 'delivery', subscriptions: [{ pattern: 'deliveries', source: 'deliveries' }], maxInFlightPerKey: 4 },
};
