import { operationalEvent } from '@hookline/contracts';
import { type ConsumedMessage, decodeContract } from '@hookline/kafka';
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { OperationalEvents } from './operational-events.js';

/**
 * Consumes `<prefix>.operational`, where delivery reports what operators should hear of (an
 * endpoint it disabled, a message failing, recovered or exhausted): each record becomes an
 * operational webhook. Only delivery writes the topic.
 */
@Controller()
export class OperationalTopicHandler {
  constructor(private readonly events: OperationalEvents) {}

  @EventPattern('operational')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    await this.events.reported(decodeContract(record, operationalEvent, 'operational event'));
  }
}
