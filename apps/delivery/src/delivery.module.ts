import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { Endpoint } from '@hookline/database';
import { AddressPolicy, addressPolicyProvider, EgressClient } from '@hookline/egress';
import { secretBoxProvider } from '@hookline/signing';
import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttemptRecorder } from './attempt-recorder.js';
import { DeliveriesHandler } from './deliveries.handler.js';
import { EndpointCache } from './endpoint-cache.js';
import { EndpointDisabler } from './endpoint-disabler.js';
import { EndpointGuard } from './endpoint-guard.js';
import { FollowUp } from './follow-up.js';

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
    EndpointCache,
    AttemptRecorder,
    FollowUp,
    EndpointDisabler,
    {
      provide: EndpointGuard,
      inject: [HOOKLINE_CONFIG],
      useFactory: (config: HooklineConfig) =>
        new EndpointGuard({ ...config.delivery.circuitBreaker, maxInlineWaitMs: MAX_INLINE_RATE_WAIT_MS }),
    },
  ],
})
export class DeliveryModule implements OnApplicationShutdown {
  constructor(private readonly client: EgressClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
