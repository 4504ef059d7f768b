import type { ServiceSpec } from '@hookline/service';
import { IngestModule } from './ingest.module.js';

/** How the ingest service runs: its feature module and what it consumes. */
export const service: ServiceSpec = { service: 'ingest', feature: IngestModule };
