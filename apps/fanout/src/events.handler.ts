import { eventValue } from '@hookline/contracts';
import type { ConsumedMessage } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

/** Consumes accepted events; matching them to endpoints is the pipeline issue's work. */
@Controller()
export class EventsHandler {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  @EventPattern('events')
  handle(@Payload() message: ConsumedMessage): void {
    const event = eventValue.parse(JSON.parse(message.value?.toString('utf8') ?? 'null'));
    this.logger.debug({ messageId: event.messageId }, 'event received');
  }
}
