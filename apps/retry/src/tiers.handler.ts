import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { topicName } from '@hookline/contracts';
import { type ConsumedMessage, KafkaProducer } from '@hookline/kafka';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

/**
 * A task from a retry tier whose due time has come (the transport holds it until then): it goes
 * back to the deliveries topic unchanged, headers included, and its tier offset is committed
 * only once Kafka has acknowledged the re-emit.
 */
@Controller()
export class TiersHandler {
  private readonly deliveriesTopic: string;

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly producer: KafkaProducer,
  ) {
    this.deliveriesTopic = topicName(config.kafka.topicPrefix, 'deliveries');
  }

  @EventPattern('retry')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    await this.producer.send(this.deliveriesTopic, [{ key: record.key, value: record.value, headers: record.headers }]);
  }
}
