import { ApiKey, Application, Attempt, Endpoint, EventType, IdempotencyKey, Message, MessageEndpoint } from '@hookline/database';
import { addressPolicyProvider } from '@hookline/egress';
import { secretBoxProvider } from '@hookline/signing';
import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApplicationsController } from './api/applications.controller.js';
import { ApplicationsService } from './api/applications.service.js';
import { AuthGuard } from './auth/auth.guard.js';
import { DeadLettersController } from './api/dead-letters.controller.js';
import { EndpointVerifier } from './api/endpoint-verifier.js';
import { EndpointsController } from './api/endpoints.controller.js';
import { EventTypesController } from './api/event-types.controller.js';
import { ApiHealthController } from './health/health.controller.js';
import { IdempotencyInterceptor } from './http/idempotency.interceptor.js';
import { MessagesController } from './api/messages.controller.js';
import { MethodNotAllowedMiddleware } from './http/method-not-allowed.middleware.js';
import { OpenApiController } from './openapi/openapi.controller.js';
import { SecretsAdminController } from './api/secrets-admin.controller.js';
import { IngestTopicHandler } from './messages/ingest-topic.handler.js';
import { MessageService } from './messages/message.service.js';
import { OutboxRelay } from './messages/outbox-relay.js';
import { RedeliveryService } from './messages/redelivery.service.js';

/** The REST API (/api/v1) and the consumer of the ingest topic. */
@Module({
  imports: [TypeOrmModule.forFeature([Application, ApiKey, EventType, Endpoint, Message, MessageEndpoint, Attempt, IdempotencyKey])],
  controllers: [
    ApiHealthController,
    OpenApiController,
    ApplicationsController,
    EventTypesController,
    EndpointsController,
    MessagesController,
    DeadLettersController,
    SecretsAdminController,
    IngestTopicHandler,
  ],
  providers: [
    ApplicationsService,
    MessageService,
    OutboxRelay,
    RedeliveryService,
    EndpointVerifier,
    AuthGuard,
    IdempotencyInterceptor,
    secretBoxProvider,
    addressPolicyProvider,
  ],
})
export class IngestModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(MethodNotAllowedMiddleware).forRoutes('api/v1/*path');
  }
}
