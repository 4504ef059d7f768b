export { HealthController, HealthRegistry, type HealthCheck } from './health.js';
export { ServiceModule } from './service.module.js';
export { PeriodicSweep, type SweepSchedule } from './periodic-sweep.js';
export { consumerGroup, runService, serviceTopics, startService, type ConsumerSpec, type ServiceSpec, type SubscriptionSource } from './run-service.js';
export { ServiceExceptionFilter } from './service-exception-filter.js';
