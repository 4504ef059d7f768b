import { RETRY_HEADERS } from '@hookline/contracts';
import type { ConsumedMessage } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

/** Consumes the retry tiers; holding each task until it is due is the retries issue's work. */
@Controller()
export class TiersHandler {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  @EventPattern('retry')
  handle(@Payload() message: ConsumedMessage): void {
    this.logger.debug({ topic: message.topic, dueAt: message.headers[RETRY_HEADERS.dueAt]?.toString() }, 'retry task received');
  }
}
