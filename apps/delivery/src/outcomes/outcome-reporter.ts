import type { DeliveryTask, DiscardReason, OutcomeRecord, PlatformTopics } from '@hookline/contracts';
import { KafkaProducer, PLATFORM_TOPICS } from '@hookline/kafka';
import { Inject, Injectable } from '@nestjs/common';

/** How a delivery task ended, as `<prefix>.outcomes` records it. */
export type FinalOutcome =
  | { outcome: 'delivered'; attempts: number; statusCode: number; deliveredAt: Date }
  | { outcome: 'dead'; attempts: number; lastError: string }
  | { outcome: 'discarded'; attempts: number; reason: DiscardReason };

/**
 * Writes the final outcome of each delivery task to `<prefix>.outcomes`, keyed by message id, so a
 * producer can join its events with their fate. Called once the attempt (or the dead letter) is
 * durable and before the task's offset is committed: at least once per task.
 */
@Injectable()
export class OutcomeReporter {
  constructor(
    @Inject(PLATFORM_TOPICS) private readonly topics: PlatformTopics,
    @Inject(KafkaProducer) private readonly producer: Pick<KafkaProducer, 'send'>,
  ) {}

  async report(task: DeliveryTask, final: FinalOutcome): Promise<void> {
    const at = final.outcome === 'delivered' ? final.deliveredAt : new Date();
    const common = {
      messageId: task.messageId,
      eventId: task.eventId,
      applicationId: task.applicationId,
      endpointId: task.endpointId,
      eventType: task.eventType,
      trigger: task.trigger,
      attempts: final.attempts,
      acceptedAt: task.acceptedAt,
      at: at.toISOString(),
    };
    const record: OutcomeRecord =
      final.outcome === 'delivered'
        ? { outcome: 'delivered', ...common, statusCode: final.statusCode, latencyMs: Math.max(0, at.getTime() - Date.parse(task.acceptedAt)) }
        : final.outcome === 'dead'
          ? { outcome: 'dead', ...common, lastError: final.lastError }
          : { outcome: 'discarded', ...common, reason: final.reason };
    await this.producer.send(this.topics.outcomes, [{ key: task.messageId, value: JSON.stringify(record) }]);
  }
}
