import type { OperationalEvent, PlatformTopics } from '@hookline/contracts';
import { KafkaProducer, PLATFORM_TOPICS } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Inject, Injectable } from '@nestjs/common';
import { EndpointRepository } from './endpoint.repository.js';

/**
 * Disables endpoints (410 Gone, or failing for HOOKLINE_ENDPOINT_DISABLE_AFTER) and tells
 * operators on the operational topic. Re-enabling is an endpoint update with `disabled: false`.
 */
@Injectable()
export class EndpointDisabler {
  constructor(
    @Inject(PLATFORM_TOPICS) private readonly topics: PlatformTopics,
    @Inject(EndpointRepository) private readonly endpoints: Pick<EndpointRepository, 'disable'>,
    @Inject(KafkaProducer) private readonly producer: Pick<KafkaProducer, 'send'>,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async disable(endpoints: Array<{ id: string; applicationId: string }>, reason: string): Promise<void> {
    if (endpoints.length === 0) return;
    await this.endpoints.disable(endpoints.map((endpoint) => endpoint.id));
    const at = new Date().toISOString();
    await this.producer.send(
      this.topics.operational,
      endpoints.map((endpoint) => {
        const event: OperationalEvent = { type: 'endpoint.disabled', applicationId: endpoint.applicationId, endpointId: endpoint.id, reason, at };
        return { key: endpoint.applicationId, value: JSON.stringify(event) };
      }),
    );
    this.logger.warn({ endpoints: endpoints.map((endpoint) => endpoint.id), reason }, 'endpoints disabled');
  }
}
