import { deliveryTask } from '@hookline/contracts';
import { type ConsumedMessage, decodeContract } from '@hookline/kafka';
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AttemptService } from './attempts/attempt.service.js';

/** Consumes the deliveries topic (written by fanout and retry): each task is attempted once. */
@Controller()
export class DeliveriesHandler {
  constructor(private readonly attempts: AttemptService) {}

  @EventPattern('deliveries')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    await this.attempts.attempt(decodeContract(record, deliveryTask, 'delivery task'));
  }
}
