import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { type DeadLetter, type DeliveryTask, type PlatformTopics, RETRY_HEADERS, type RetryTier, retryTiers } from '@hookline/contracts';
import type { DeliveryStatus, Endpoint } from '@hookline/database';
import type { DeliveryOutcome } from '@hookline/egress';
import { KafkaProducer, PLATFORM_TOPICS } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Inject, Injectable } from '@nestjs/common';
import { EndpointDisabler } from '../endpoints/endpoint-disabler.js';
import { RetryPolicy } from './retry-policy.js';

/** What a failed attempt leads to: the status row, and how the task ended if it did. */
export interface FailureResult {
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
  /** The failure as the retry tier and the dead letter carry it. */
  lastError: string;
  /** The endpoint answered 410 Gone and was disabled: the task ends, neither retried nor dead. */
  gone: boolean;
}

/** What became of a task that may not be attempted yet. */
export type Postponement = { kind: 'postponed' } | { kind: 'dead'; lastError: string };

/**
 * Hands a failed task on: to the retry tier of its next delay, or to the dead-letter topic once
 * the schedule or the window is spent. A 410 Gone disables the endpoint instead. Also postpones
 * tasks that may not be attempted yet. Resolves once Kafka has acknowledged the follow-up, so the
 * caller may then commit the original.
 */
@Injectable()
export class FollowUp {
  private readonly policy: RetryPolicy;
  private readonly tiers: RetryTier[];

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    @Inject(PLATFORM_TOPICS) private readonly topics: PlatformTopics,
    @Inject(KafkaProducer) private readonly producer: Pick<KafkaProducer, 'send'>,
    @Inject(EndpointDisabler) private readonly disabler: Pick<EndpointDisabler, 'disable'>,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.tiers = retryTiers(config.kafka.topicPrefix, config.retry.scheduleMs);
    this.policy = new RetryPolicy({
      scheduleMs: config.retry.scheduleMs,
      tiers: this.tiers,
      jitter: config.retry.jitter,
      deadLetterAfterMs: config.retry.deadLetterAfterMs,
    });
  }

  /**
   * Postpones a task without attempting it (rate limit, open circuit): into the shortest tier,
   * due in `waitMs`, with the same attempt number, so no retry is spent. The dead-letter window
   * runs from the first attempt or, for a task postponed before any, from its first postponement;
   * a task whose postponement would fall past it is dead-lettered instead ('dead'), unless
   * `pastWindow` is 'postpone': the wait is for an attempt of the same message already in
   * flight, whose outcome decides the message's fate. Such a wait neither ends nor starts the
   * window: a window started by it would run out early, once this task is attempted itself.
   */
  async defer(task: DeliveryTask, waitMs: number, reason: string, pastWindow: 'dead-letter' | 'postpone' = 'dead-letter'): Promise<Postponement> {
    const now = new Date();
    const windowStart = task.firstAttemptAt ? new Date(task.firstAttemptAt) : now;
    const dueAt = new Date(now.getTime() + waitMs);
    const postponed: DeliveryTask = pastWindow === 'postpone' ? task : { ...task, firstAttemptAt: windowStart.toISOString() };
    const step = this.policy.postponement(dueAt, windowStart);
    if (step.kind === 'dead' && pastWindow === 'dead-letter') {
      const lastError = `${reason}; ${step.reason}`;
      await this.deadLetter(postponed, now, lastError);
      return { kind: 'dead', lastError };
    }
    const tier = this.tiers.find((candidate) => candidate.delayMs >= waitMs) ?? this.tiers.at(-1)!;
    const headers = {
      [RETRY_HEADERS.attempt]: String(task.attempt),
      ...(postponed.firstAttemptAt && { [RETRY_HEADERS.firstAttemptAt]: postponed.firstAttemptAt }),
      [RETRY_HEADERS.dueAt]: dueAt.toISOString(),
      [RETRY_HEADERS.deferred]: reason,
    };
    await this.producer.send(tier.topic, [{ key: task.endpointId, value: JSON.stringify(postponed), headers }]);
    return { kind: 'postponed' };
  }

  /** `endpoint` is the one attempted, as delivery last read it: a 410 Gone reports it disabled. */
  async afterFailure(task: DeliveryTask, outcome: DeliveryOutcome, attemptedAt: Date, endpoint: Pick<Endpoint, 'uid' | 'failingSince' | 'updatedAt'>): Promise<FailureResult> {
    const firstAttemptAt = task.firstAttemptAt ? new Date(task.firstAttemptAt) : attemptedAt;
    const lastError = failureText(outcome);
    const step = this.policy.next({ attempt: task.attempt, firstAttemptAt, attemptedAt, statusCode: outcome.statusCode, retryAfterMs: outcome.retryAfterMs });

    if (step.kind === 'gone') {
      // Concurrent 410s of one endpoint, as last changed, are one occurrence: one report.
      const occurrence = `gone after its change at ${endpoint.updatedAt.toISOString()}`;
      await this.disabler.disable([{ id: task.endpointId, applicationId: task.applicationId, uid: endpoint.uid, failingSince: endpoint.failingSince, occurrence }], 'the endpoint answered 410 Gone');
      return { status: 'failed', nextAttemptAt: null, lastError, gone: true };
    }
    if (step.kind === 'dead') {
      await this.deadLetter({ ...task, firstAttemptAt: firstAttemptAt.toISOString() }, attemptedAt, lastError, step.reason);
      return { status: 'dead', nextAttemptAt: null, lastError, gone: false };
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
    return { status: 'failed', nextAttemptAt: step.dueAt, lastError, gone: false };
  }

  private async deadLetter(task: DeliveryTask, deadAt: Date, lastError: string, reason = lastError): Promise<void> {
    const letter: DeadLetter = { task, deadAt: deadAt.toISOString(), lastError };
    await this.producer.send(this.topics.dead, [{ key: task.endpointId, value: JSON.stringify(letter), headers: { [RETRY_HEADERS.lastError]: lastError } }]);
    this.logger.info({ messageId: task.messageId, endpointId: task.endpointId, attempts: task.attempt, reason }, 'dead-lettered');
  }
}

/** What a failed attempt's dead letter and outcome record say of it. */
export function failureText(attempt: { error?: string | null; statusCode: number | null; responseExcerpt?: string | null }): string {
  return (attempt.error ?? `HTTP ${attempt.statusCode}: ${attempt.responseExcerpt ?? ''}`).slice(0, 500);
}
