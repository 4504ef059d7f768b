import { OutboxAndIdempotency1795334446355 } from './1795334446355-outbox-and-idempotency.js';
import { InitialSchema1795333898853 } from './1795333898853-initial-schema.js';
import { EndpointVerification1795338839116 } from './1795338839116-endpoint-verification.js';
import { MessageOutbox1796297931544 } from './1796297931544-message-outbox.js';
import { AppPortalTokensAndEventTypeFields1796409570024 } from './1796409570024-app-portal-tokens-and-event-type-fields.js';
import { OperationalApplication1796409846652 } from './1796409846652-operational-application.js';
import { OutboxQuarantine1796410194235 } from './1796410194235-outbox-quarantine.js';
import { PartitionedMessages1796410464057 } from './1796410464057-partitioned-messages.js';
import { NoApplicationThrottle1796410464058 } from './1796410464058-no-application-throttle.js';
import { OrderedDelivery1796411412828 } from './1796411412828-ordered-delivery.js';
import { IdempotencyRequestHash1796414427435 } from './1796414427435-idempotency-request-hash.js';
import { StatsIndexes1796414522709 } from './1796414522709-stats-indexes.js';
import { TraceIds1796457785396 } from './1796457785396-trace-ids.js';
import { EndpointDisabledReason1796460000000 } from './1796460000000-endpoint-disabled-reason.js';
import { OutboxRowsOfIngestRecords1796470000000 } from './1796470000000-outbox-rows-of-ingest-records.js';
import { OrderingPromotedOnce1796480000000 } from './1796480000000-ordering-promoted-once.js';

/** Every migration, oldest first. The schema changes only through these. */
export const MIGRATIONS = [
  InitialSchema1795333898853,
  OutboxAndIdempotency1795334446355,
  EndpointVerification1795338839116,
  MessageOutbox1796297931544,
  AppPortalTokensAndEventTypeFields1796409570024,
  OperationalApplication1796409846652,
  OutboxQuarantine1796410194235,
  PartitionedMessages1796410464057,
  NoApplicationThrottle1796410464058,
  OrderedDelivery1796411412828,
  IdempotencyRequestHash1796414427435,
  StatsIndexes1796414522709,
  TraceIds1796457785396,
  EndpointDisabledReason1796460000000,
  OutboxRowsOfIngestRecords1796470000000,
  OrderingPromotedOnce1796480000000,
];
