import { type DeliveryTask, deliveryTask, RETRY_HEADERS } from '@hookline/contracts';
import { type ConsumedMessage, decodeContract, mayRepeat } from '@hookline/kafka';
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AttemptService } from './attempts/attempt.service.js';

/**
 * Tasks kept, at most: those of records being handled, and of records whose request was made but
 * whose attempt is not recorded yet (the database away). One of a partition handed to another
 * process meanwhile is never read here again. Past this the oldest is forgotten, and a run again
 * of it decodes its task anew (looked up, as read again, before any request).
 */
const MAX_TASKS_KEPT = 20_000;

/** Consumes the deliveries topic (written by fanout and retry): each task is attempted once. */
@Controller()
export class DeliveriesHandler {
  /**
   * Each record's task, decoded once and kept by the record's position while it is handled, and
   * after, as long as a request made for it is not recorded: the consumer runs a record again (the
   * same object) when its handling failed, and the next consumer generation reads it again
   * (another object) if the group moved on meanwhile. AttemptService knows the task by its object,
   * so that a request made is recorded rather than made again, and a reading that comes while an
   * earlier one is under way waits for it. A kept task serves only a record of the same bytes: a
   * topic deleted and made again numbers its records from 0 anew.
   */
  private readonly tasks = new Map<string, { value: Buffer | null; task: DeliveryTask }>();

  constructor(private readonly attempts: AttemptService) {}

  @EventPattern('deliveries')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    const position = `${record.partition}:${record.offset}`;
    const kept = this.tasks.get(position);
    let task: DeliveryTask;
    if (kept && sameBytes(kept.value, record.value)) {
      task = kept.task;
    } else {
      task = decodeContract(record, deliveryTask, 'delivery task');
      if (!kept && this.tasks.size >= MAX_TASKS_KEPT) this.tasks.delete(this.tasks.keys().next().value!);
      this.tasks.set(position, { value: record.value, task });
    }
    try {
      await this.attempts.attempt(task, record.superseded, mayRepeat(record) || backFromRetryTier(record));
    } finally {
      if (!this.attempts.awaitsConclusion(task)) this.tasks.delete(position);
    }
  }
}

/**
 * A task postponed or retried through a tier (its headers say when it was due) is looked up too:
 * a task made twice upstream whose copies were both postponed (an open circuit) comes back as two
 * chains, and only one of them may carry the repeat mark (docs/adr/0025).
 */
const backFromRetryTier = (record: ConsumedMessage) => record.headers[RETRY_HEADERS.dueAt] !== undefined;

const sameBytes = (a: Buffer | null, b: Buffer | null) => (a === null || b === null ? a === b : a.equals(b));
