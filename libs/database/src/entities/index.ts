import { ApiKey } from './api-key.entity.js';
import { AppPortalToken } from './app-portal-token.entity.js';
import { Application } from './application.entity.js';
import { Attempt } from './attempt.entity.js';
import { Endpoint } from './endpoint.entity.js';
import { EventType } from './event-type.entity.js';
import { FanoutProgress } from './fanout-progress.entity.js';
import { MessageEndpoint } from './message-endpoint.entity.js';
import { IdempotencyKey } from './idempotency-key.entity.js';
import { Message } from './message.entity.js';
import { MessageOutbox } from './message-outbox.entity.js';
import { OrderingQueue } from './ordering-queue.entity.js';
import { PendingDeletion } from './pending-deletion.entity.js';

export { ApiKey, AppPortalToken, Application, Attempt, Endpoint, EventType, FanoutProgress, IdempotencyKey, Message, MessageEndpoint, MessageOutbox, OrderingQueue, PendingDeletion };
export { ENDPOINT_ORDERINGS, type EndpointOrdering } from './endpoint.entity.js';
export { ATTEMPT_TRIGGERS, type AttemptTrigger } from './attempt.entity.js';
export { DELIVERY_STATUSES, type DeliveryStatus } from './message-endpoint.entity.js';
export { DELETION_KINDS, type DeletionKind } from './pending-deletion.entity.js';
export { isSendable, type SendableMessage } from './message.entity.js';

export const ENTITIES = [Application, ApiKey, AppPortalToken, EventType, Endpoint, Message, MessageOutbox, MessageEndpoint, Attempt, IdempotencyKey, OrderingQueue, FanoutProgress, PendingDeletion];
