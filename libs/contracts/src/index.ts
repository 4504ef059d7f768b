export * from './topics.js';
export * from './common.js';
export * from './ingest/ingest.contract.js';
export * from './events/event.contract.js';
export * from './deliveries/delivery.contract.js';
export * from './retry/retry.contract.js';
export * from './dead/dead.contract.js';
export * from './operational/operational.contract.js';
