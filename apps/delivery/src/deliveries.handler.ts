import { type DeliveryTask, deliveryTask } from '@hookline/contracts';
import { type ConsumedMessage, decodeContract, mayRepeat } from '@hookline/kafka';
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AttemptService } from './attempts/attempt.service.js';

/** Consumes the deliveries topic (written by fanout and retry): each task is attempted once. */
@Controller()
export class DeliveriesHandler {
  /**
   * Each record's task, decoded once: the consumer runs a record again (the same object) when its
   * handling failed, and AttemptService knows the task by its object, so that a request already
   * made is recorded rather than made again.
   */
  private readonly tasks = new WeakMap<ConsumedMessage, DeliveryTask>();

  constructor(private readonly attempts: AttemptService) {}

  @EventPattern('deliveries')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    let task = this.tasks.get(record);
    if (!task) {
      task = decodeContract(record, deliveryTask, 'delivery task');
      this.tasks.set(record, task);
    }
    await this.attempts.attempt(task, record.superseded, mayRepeat(record));
  }
}
