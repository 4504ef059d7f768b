import { deliveryTask } from '@hookline/contracts';
import type { ConsumedMessage } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

/** Consumes delivery tasks; signing and POSTing them is the pipeline issue's work. */
@Controller()
export class DeliveriesHandler {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  @EventPattern('deliveries')
  handle(@Payload() message: ConsumedMessage): void {
    const task = deliveryTask.parse(JSON.parse(message.value?.toString('utf8') ?? 'null'));
    this.logger.debug({ messageId: task.messageId, endpointId: task.endpointId }, 'delivery task received');
  }
}
