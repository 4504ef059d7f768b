import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { type DeadLetter, type DeliveryTask, RETRY_HEADERS, retryTiers, topicName } from '@hookline/contracts';
import { Endpoint, type DeliveryStatus } from '@hookline/database';
import type { DeliveryOutcome } from '@hookline/egress';
import { KafkaProducer } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RetryPolicy } from './retry-policy.js';

/** What a failed attempt leads to, for the status row. */
export interface FailureResult {
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
}

/**
 * Hands a failed task on: to the retry tier of its next delay, or to the dead-letter topic once
 * the schedule or the window is spent. A 410 Gone disables the endpoint instead. Resolves once
 * Kafka has acknowledged the follow-up, so the caller may then commit the original.
 */
@Injectable()
export class FollowUp {
  private readonly policy: RetryPolicy;
  private readonly deadTopic: string;

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly producer: KafkaProducer,
    @InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.policy = new RetryPolicy({
      scheduleMs: config.retry.scheduleMs,
      tiers: retryTiers(config.kafka.topicPrefix, config.retry.scheduleMs),
      jitter: config.retry.jitter,
      deadLetterAfterMs: config.retry.deadLetterAfterMs,
    });
    this.deadTopic = topicName(config.kafka.topicPrefix, 'dead');
  }

  async afterFailure(task: DeliveryTask, outcome: DeliveryOutcome, attemptedAt: Date): Promise<FailureResult> {
    const firstAttemptAt = task.firstAttemptAt ? new Date(task.firstAttemptAt) : attemptedAt;
    const lastError = (outcome.error ?? `HTTP ${outcome.statusCode}: ${outcome.responseExcerpt}`).slice(0, 500);
    const step = this.policy.next({ attempt: task.attempt, firstAttemptAt, attemptedAt, statusCode: outcome.statusCode, retryAfterMs: outcome.retryAfterMs });

    if (step.kind === 'gone') {
      await this.endpoints.update({ id: task.endpointId }, { disabled: true });
      this.logger.warn({ endpointId: task.endpointId }, 'endpoint answered 410 Gone: disabled');
      return { status: 'failed', nextAttemptAt: null };
    }
    if (step.kind === 'dead') {
      const letter: DeadLetter = { task: { ...task, firstAttemptAt: firstAttemptAt.toISOString() }, deadAt: attemptedAt.toISOString(), lastError };
      await this.producer.send(this.deadTopic, [{ key: task.endpointId, value: JSON.stringify(letter), headers: { [RETRY_HEADERS.lastError]: lastError } }]);
      this.logger.info({ messageId: task.messageId, endpointId: task.endpointId, attempts: task.attempt, reason: step.reason }, 'dead-lettered');
      return { status: 'dead', nextAttemptAt: null };
    }
    const next: DeliveryTask = { ...task, attempt: task.attempt + 1, firstAttemptAt: firstAttemptAt.toISOString() };
    await this.producer.send(step.tier.topic, [
      {
        key: task.endpointId,
        value: JSON.stringify(next),
        headers: {
          [RETRY_HEADERS.attempt]: String(next.attempt),
          [RETRY_HEADERS.firstAttemptAt]: next.firstAttemptAt!,
          [RETRY_HEADERS.dueAt]: step.dueAt.toISOString(),
          [RETRY_HEADERS.lastError]: lastError,
        },
      },
    ]);
    return { status: 'failed', nextAttemptAt: step.dueAt };
  }
}
