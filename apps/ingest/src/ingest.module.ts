import { ApiKey, AppPortalToken, Application, Attempt, Endpoint, EventType, IdempotencyKey, Message, MessageEndpoint } from '@hookline/database';
import { addressPolicyProvider } from '@hookline/egress';
import { secretBoxProvider } from '@hookline/signing';
import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
// The controllers, in the order the OpenAPI document lists their operations (the order they load).
import { ApiHealthController } from './health/health.controller.js';
import { ApplicationsController } from './applications/applications.controller.js';
import { ApiKeysController } from './auth/api-keys.controller.js';
import { AppPortalController } from './auth/app-portal/app-portal.controller.js';
import { EventTypesController } from './event-types/event-types.controller.js';
import { EndpointsController } from './endpoints/endpoints.controller.js';
import { EndpointSecretsController } from './endpoints/secrets/endpoint-secrets.controller.js';
import { EndpointHeadersController } from './endpoints/headers/endpoint-headers.controller.js';
import { EndpointExamplesController } from './endpoints/examples/endpoint-examples.controller.js';
import { EndpointVerificationController } from './endpoints/verification/endpoint-verification.controller.js';
import { EndpointOrderingController } from './endpoints/ordering/endpoint-ordering.controller.js';
import { FiltersController } from './filters/filters.controller.js';
import { MessagesController } from './messages/messages.controller.js';
import { AttemptsController } from './attempts/attempts.controller.js';
import { DeadLettersController } from './dead-letters/dead-letters.controller.js';
import { StatsController } from './stats/stats.controller.js';
import { OperationalWebhooksController } from './operational-webhooks/operational-webhooks.controller.js';
import { SecretsReEncryptController } from './admin/secrets-re-encrypt.controller.js';
import { OpenApiController } from './openapi/openapi.controller.js';
import { IngestTopicHandler } from './ingest-topic/ingest-topic.handler.js';
import { OperationalTopicHandler } from './operational-webhooks/operational-topic.handler.js';
// Services and repositories, by resource.
import { SecretsReEncryptService } from './admin/secrets-re-encrypt.service.js';
import { ApplicationsRepository } from './applications/applications.repository.js';
import { ApplicationsService } from './applications/applications.service.js';
import { AttemptsRepository } from './attempts/attempts.repository.js';
import { AttemptsService } from './attempts/attempts.service.js';
import { DeliveryStatusesRepository } from './attempts/delivery-statuses.repository.js';
import { ApiKeysRepository } from './auth/api-keys.repository.js';
import { ApiKeysService } from './auth/api-keys.service.js';
import { TokenRevocations } from './auth/token-revocations.js';
import { AppPortalTokensRepository } from './auth/app-portal/app-portal-tokens.repository.js';
import { AppPortalService } from './auth/app-portal/app-portal.service.js';
import { AuthGuard } from './auth/auth.guard.js';
import { DeadLettersRepository } from './dead-letters/dead-letters.repository.js';
import { DeadLettersService } from './dead-letters/dead-letters.service.js';
import { EndpointsRepository } from './endpoints/endpoints.repository.js';
import { EndpointLookup } from './endpoints/endpoint-lookup.js';
import { EndpointsService } from './endpoints/endpoints.service.js';
import { EndpointSecretsRepository } from './endpoints/secrets/endpoint-secrets.repository.js';
import { EndpointSecretsService } from './endpoints/secrets/endpoint-secrets.service.js';
import { EndpointHeadersService } from './endpoints/headers/endpoint-headers.service.js';
import { EndpointExamplesService } from './endpoints/examples/endpoint-examples.service.js';
import { EndpointOrderingRepository } from './endpoints/ordering/endpoint-ordering.repository.js';
import { EndpointOrderingService } from './endpoints/ordering/endpoint-ordering.service.js';
import { EndpointVerifier } from './endpoints/verification/endpoint-verifier.js';
import { EventTypesRepository } from './event-types/event-types.repository.js';
import { EventTypesService } from './event-types/event-types.service.js';
import { FiltersService } from './filters/filters.service.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { IdempotencyKeysRepository } from './idempotency/idempotency-keys.repository.js';
import { OrderedApplications } from './ingest-topic/ordered-applications.js';
import { MethodNotAllowedMiddleware } from './http/method-not-allowed.middleware.js';
import { ConsoleModule } from './console/console.module.js';
import { MessageService } from './messages/message.service.js';
import { MessagesRepository } from './messages/messages.repository.js';
import { OutboxRelay } from './messages/outbox-relay.js';
import { RedeliveryService } from './messages/redelivery.service.js';
import { OperationalEvents } from './operational-webhooks/operational-events.js';
import { OperationalWebhooksService } from './operational-webhooks/operational-webhooks.service.js';
import { RetentionRepository } from './retention/retention.repository.js';
import { RetentionScheduler } from './retention/retention-scheduler.js';
import { RetentionService } from './retention/retention.service.js';
import { StatsRepository } from './stats/stats.repository.js';
import { StatsService } from './stats/stats.service.js';
import { TracesController } from './traces/traces.controller.js';
import { TracesService, traceStoreProvider } from './traces/traces.service.js';

/** The REST API (/api/v1) and the consumer of the ingest topic. */
@Module({
  imports: [TypeOrmModule.forFeature([Application, ApiKey, AppPortalToken, EventType, Endpoint, Message, MessageEndpoint, Attempt, IdempotencyKey]), ConsoleModule],
  controllers: [
    ApiHealthController,
    ApplicationsController,
    ApiKeysController,
    AppPortalController,
    EventTypesController,
    EndpointsController,
    EndpointSecretsController,
    EndpointHeadersController,
    EndpointExamplesController,
    EndpointVerificationController,
    EndpointOrderingController,
    FiltersController,
    MessagesController,
    AttemptsController,
    TracesController,
    DeadLettersController,
    StatsController,
    OperationalWebhooksController,
    SecretsReEncryptController,
    OpenApiController,
    IngestTopicHandler,
    OperationalTopicHandler,
  ],
  providers: [
    ApplicationsRepository,
    ApplicationsService,
    ApiKeysRepository,
    ApiKeysService,
    TokenRevocations,
    AppPortalTokensRepository,
    AppPortalService,
    AuthGuard,
    EventTypesRepository,
    EventTypesService,
    EndpointsRepository,
    EndpointLookup,
    EndpointsService,
    EndpointSecretsRepository,
    EndpointSecretsService,
    EndpointHeadersService,
    EndpointExamplesService,
    EndpointVerifier,
    EndpointOrderingRepository,
    EndpointOrderingService,
    FiltersService,
    MessagesRepository,
    MessageService,
    OutboxRelay,
    RedeliveryService,
    RetentionRepository,
    RetentionService,
    RetentionScheduler,
    AttemptsRepository,
    AttemptsService,
    TracesService,
    traceStoreProvider,
    DeliveryStatusesRepository,
    DeadLettersRepository,
    DeadLettersService,
    OperationalEvents,
    OperationalWebhooksService,
    StatsRepository,
    StatsService,
    SecretsReEncryptService,
    IdempotencyInterceptor,
    IdempotencyKeysRepository,
    OrderedApplications,
    secretBoxProvider,
    addressPolicyProvider,
  ],
})
export class IngestModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(MethodNotAllowedMiddleware).forRoutes('api/v1/*path');
  }
}
