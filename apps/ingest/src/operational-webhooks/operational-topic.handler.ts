import { operationalEvent } from '@hookline/contracts';
import { type ConsumedMessage, decodeOrSkip } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { OperationalEvents } from './operational-events.js';

/**
 * Consumes `<prefix>.operational`, where delivery reports what operators should hear of (an
 * endpoint it disabled, a message failing, recovered or exhausted): each record becomes an
 * operational webhook. Only delivery writes the topic; a record that does not decode is logged and skipped.
 */
@Controller()
export class OperationalTopicHandler {
  constructor(
    private readonly events: OperationalEvents,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('operational')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    const event = decodeOrSkip(record, operationalEvent, this.logger, 'operational event');
    if (event) await this.events.reported(event);
  }
}
