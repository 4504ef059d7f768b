import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { Endpoint } from '@hookline/database';
import { AddressPolicy, addressPolicyProvider, EgressClient } from '@hookline/egress';
import { SecretBox, secretBoxProvider } from '@hookline/signing';
import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttemptRecorder } from './attempts/attempt-recorder.js';
import { EarlierAttempts } from './attempts/earlier-attempts.js';
import { AttemptRepository } from './attempts/attempt.repository.js';
import { AttemptService } from './attempts/attempt.service.js';
import { DeliveriesHandler } from './deliveries.handler.js';
import { EndpointCache } from './endpoints/endpoint-cache.js';
import { EndpointDisabler } from './endpoints/endpoint-disabler.js';
import { EndpointGuard } from './endpoints/endpoint-guard.js';
import { EndpointRepository } from './endpoints/endpoint.repository.js';
import { OrderedDelivery } from './ordering/ordered-delivery.js';
import { ParkedHeads } from './ordering/parked-heads.js';
import { OrderingRepository } from './ordering/ordering.repository.js';
import { OperationalReporter } from './operational/operational-reporter.js';
import { OutcomeReporter } from './outcomes/outcome-reporter.js';
import { FollowUp } from './retries/follow-up.js';

/** Sockets kept per receiving origin; above the per-endpoint in-flight cap so none waits for a socket. */
const CONNECTIONS_PER_ORIGIN = 16;
/** A rate-limited task waits in place up to this long; beyond it, it is postponed via the tiers. */
const MAX_INLINE_RATE_WAIT_MS = 1_000;

@Module({
  imports: [TypeOrmModule.forFeature([Endpoint])],
  controllers: [DeliveriesHandler],
  providers: [
    secretBoxProvider,
    addressPolicyProvider,
    {
      provide: EgressClient,
      inject: [HOOKLINE_CONFIG, AddressPolicy],
      useFactory: (config: HooklineConfig, policy: AddressPolicy) =>
        new EgressClient({ policy, timeoutMs: config.delivery.timeoutMs, connectionsPerOrigin: CONNECTIONS_PER_ORIGIN }),
    },
    AttemptService,
    AttemptRecorder,
    EarlierAttempts,
    AttemptRepository,
    EndpointRepository,
    {
      provide: EndpointCache,
      inject: [EndpointRepository, SecretBox],
      useFactory: (endpoints: EndpointRepository, secrets: SecretBox) => new EndpointCache(endpoints, secrets),
    },
    EndpointDisabler,
    {
      provide: EndpointGuard,
      inject: [HOOKLINE_CONFIG],
      useFactory: (config: HooklineConfig) =>
        new EndpointGuard({ ...config.delivery.circuitBreaker, maxInlineWaitMs: MAX_INLINE_RATE_WAIT_MS }),
    },
    FollowUp,
    OrderedDelivery,
    ParkedHeads,
    OrderingRepository,
    OperationalReporter,
    OutcomeReporter,
  ],
})
export class DeliveryModule implements OnApplicationShutdown {
  constructor(private readonly client: EgressClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
