export { CachedLookup, type CachedLookupOptions } from './cached-lookup.js';
export { Coalescer, type CoalescerOptions, STATEMENT_LINGER_MS } from './coalescer.js';
export { isolateRowFaults } from './isolate.js';
