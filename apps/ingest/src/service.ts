import { MAX_MESSAGE_BYTES } from '@hookline/contracts';
import type { ServiceSpec } from '@hookline/service';
import { tokenBeforeBody } from './auth/token-before-body.js';
import { ApiExceptionFilter } from './http/errors.js';
import { IngestModule } from './ingest.module.js';

/** How the ingest service runs: the REST API and the consumer of the ingest topic. */
export const service: ServiceSpec = {
  service: 'ingest',
  feature: IngestModule,
  // Keyed by application: many of one tenant's records at once, so that they share statements.
  // Also delivery's operational events, each turned into an operational webhook.
  consumer: {
    groupId: 'ingest',
    subscriptions: [
      { pattern: 'ingest', source: 'ingest' },
      { pattern: 'operational', source: 'operational' },
    ],
    maxInFlightPerKey: 256,
    // Producers often send the ingest topic a few events per request; while events keep coming,
    // fetches that gather for up to 10 ms carry many records each (docs/adr/0022).
    gatherFetchMs: 10,
  },
  produces: ['events', 'ingestRejected', 'deliveries'],
  // Errors raised before a controller (a body that is not JSON, or too large) get Svix's shape
  // too; a body without a token is refused before it is read.
  api: { jsonBodyLimit: `${MAX_MESSAGE_BYTES}b`, filter: new ApiExceptionFilter(), beforeBody: tokenBeforeBody },
};
