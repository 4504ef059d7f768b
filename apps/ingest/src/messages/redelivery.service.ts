import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { firstDeliveryTask, topicsFor } from '@hookline/contracts';
import { type Message, MessageEndpoint } from '@hookline/database';
import { KafkaProducer } from '@hookline/kafka';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';

/**
 * Sends messages to endpoints again on an operator's request (replay of dead letters, Svix's
 * resend and recover): each gets a fresh task, marked manual, with a full retry schedule.
 */
@Injectable()
export class RedeliveryService {
  private readonly deliveriesTopic: string;

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly producer: KafkaProducer,
    @InjectRepository(MessageEndpoint) private readonly statuses: Repository<MessageEndpoint>,
  ) {
    this.deliveriesTopic = topicsFor(config.kafka.topicPrefix).deliveries;
  }

  async redeliver(pairs: Array<{ message: Message; endpointId: string }>): Promise<number> {
    if (pairs.length === 0) return 0;
    await this.producer.send(
      this.deliveriesTopic,
      pairs.map(({ message, endpointId }) => ({
        key: endpointId,
        value: JSON.stringify(
          firstDeliveryTask(
            { messageId: message.id, applicationId: message.applicationId, eventType: message.eventType, payload: message.payload, acceptedAt: message.createdAt.toISOString() },
            endpointId,
            'manual',
          ),
        ),
      })),
    );
    await this.statuses
      .createQueryBuilder()
      .insert()
      .values(pairs.map(({ message, endpointId }) => ({ messageId: message.id, endpointId, applicationId: message.applicationId, status: 'pending' as const })))
      .orUpdate(['status'], ['message_id', 'endpoint_id'])
      .execute();
    return pairs.length;
  }
}
