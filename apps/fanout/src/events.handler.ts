import { eventValue } from '@hookline/contracts';
import { type ConsumedMessage, decodeContract, mayRepeat } from '@hookline/kafka';
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { FanoutService } from './routing/fanout.service.js';

/** Consumes the events topic (written by ingest): each event is routed to its endpoints. */
@Controller()
export class EventsHandler {
  constructor(private readonly fanout: FanoutService) {}

  @EventPattern('events')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    await this.fanout.route(decodeContract(record, eventValue, 'event'), { partition: record.partition, offset: record.offset }, mayRepeat(record));
  }
}
