import { deliveryTask } from '@hookline/contracts';
import { type ConsumedMessage, decodeOrSkip } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AttemptService } from './attempts/attempt.service.js';

/** Consumes the deliveries topic (written by fanout and retry): each task is attempted once. */
@Controller()
export class DeliveriesHandler {
  constructor(
    private readonly attempts: AttemptService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('deliveries')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    const task = decodeOrSkip(record, deliveryTask, this.logger, 'delivery task');
    if (task) await this.attempts.attempt(task);
  }
}
