import { eventValue } from '@hookline/contracts';
import { type ConsumedMessage, decodeOrSkip } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { FanoutService } from './routing/fanout.service.js';

/** Consumes the events topic (written by ingest): each event is routed to its endpoints. */
@Controller()
export class EventsHandler {
  constructor(
    private readonly fanout: FanoutService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('events')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    const event = decodeOrSkip(record, eventValue, this.logger, 'event');
    if (event) await this.fanout.route(event, { partition: record.partition, offset: record.offset });
  }
}
