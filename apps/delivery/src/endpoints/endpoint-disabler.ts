import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { type OperationalEvent, topicName } from '@hookline/contracts';
import { Endpoint } from '@hookline/database';
import { KafkaProducer } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';

/**
 * Disables endpoints (410 Gone, or failing for HOOKLINE_ENDPOINT_DISABLE_AFTER) and tells
 * operators on the operational topic. Re-enabling is an endpoint update with `disabled: false`.
 */
@Injectable()
export class EndpointDisabler {
  private readonly operationalTopic: string;

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    @InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>,
    private readonly producer: KafkaProducer,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.operationalTopic = topicName(config.kafka.topicPrefix, 'operational');
  }

  async disable(endpoints: Array<{ id: string; applicationId: string }>, reason: string): Promise<void> {
    if (endpoints.length === 0) return;
    await this.endpoints.update({ id: In(endpoints.map((endpoint) => endpoint.id)) }, { disabled: true });
    const at = new Date().toISOString();
    await this.producer.send(
      this.operationalTopic,
      endpoints.map((endpoint) => {
        const event: OperationalEvent = { type: 'endpoint.disabled', applicationId: endpoint.applicationId, endpointId: endpoint.id, reason, at };
        return { key: endpoint.applicationId, value: JSON.stringify(event) };
      }),
    );
    this.logger.warn({ endpoints: endpoints.map((endpoint) => endpoint.id), reason }, 'endpoints disabled');
  }
}
