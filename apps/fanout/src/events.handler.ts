import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { eventValue, firstDeliveryTask, topicName } from '@hookline/contracts';
import { Endpoint, MessageEndpoint } from '@hookline/database';
import { type ConsumedMessage, decodeValue, KafkaProducer } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';

/**
 * Turns each accepted event into one delivery task per matching, enabled endpoint: its event
 * types include the event's (or it has none), and its channels meet the event's (or it has
 * none). An endpoint created under HOOKLINE_ENDPOINT_VERIFICATION gets nothing until it has
 * passed the verification handshake. Each pair gets a pending status row first, so a
 * redelivered event changes nothing.
 */
@Controller()
export class EventsHandler {
  private readonly deliveriesTopic: string;

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    @InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>,
    @InjectRepository(MessageEndpoint) private readonly statuses: Repository<MessageEndpoint>,
    private readonly producer: KafkaProducer,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.deliveriesTopic = topicName(config.kafka.topicPrefix, 'deliveries');
  }

  @EventPattern('events')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    const decoded = decodeValue(record, eventValue);
    if (!decoded.ok) {
      // Only ingest writes this topic; a record it cannot have written is logged, not retried forever.
      this.logger.error({ topic: record.topic, offset: record.offset, problem: decoded.problem }, 'unreadable event skipped');
      return;
    }
    const event = decoded.value;
    const endpoints = await this.endpoints
      .createQueryBuilder('endpoint')
      .select(['endpoint.id'])
      .where('endpoint.application_id = :applicationId AND NOT endpoint.disabled', { applicationId: event.applicationId })
      .andWhere('(endpoint.event_types IS NULL OR :eventType = ANY(endpoint.event_types))', { eventType: event.eventType })
      .andWhere('(endpoint.channels IS NULL OR endpoint.channels && CAST(:channels AS text[]))', { channels: event.channels })
      .andWhere('(NOT endpoint.verification_required OR endpoint.verified_at IS NOT NULL)')
      .getMany();
    if (endpoints.length === 0) return;

    await this.statuses
      .createQueryBuilder()
      .insert()
      .values(endpoints.map((endpoint) => ({ messageId: event.messageId, endpointId: endpoint.id, applicationId: event.applicationId, status: 'pending' as const })))
      .orIgnore()
      .execute();
    await this.producer.send(
      this.deliveriesTopic,
      endpoints.map((endpoint) => ({
        key: endpoint.id,
        value: JSON.stringify(firstDeliveryTask({ ...event, acceptedAt: event.createdAt }, endpoint.id, 'scheduled')),
      })),
    );
  }
}
