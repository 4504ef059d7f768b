import type { DeliveryTask } from '@hookline/contracts';
import { EgressClient } from '@hookline/egress';
import { KeyedLimiter } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { signatureHeaders } from '@hookline/signing';
import { annotateActiveSpan, HOOKLINE_ATTRIBUTES, hooklineMetrics, statusClass } from '@hookline/telemetry';
import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { EndpointCache } from '../endpoints/endpoint-cache.js';
import { EndpointGuard } from '../endpoints/endpoint-guard.js';
import { FollowUp } from '../retries/follow-up.js';
import { AttemptRecorder } from './attempt-recorder.js';

/** Requests in flight to one endpoint, at most: a slow endpoint occupies these and no more. */
const MAX_REQUESTS_PER_ENDPOINT = 4;

/**
 * Makes one attempt of a delivery task: signs the payload (Standard Webhooks, `webhook-id` is
 * the message id so it is stable across retries), POSTs it through the guarded client, and
 * records the attempt and the status it leads to before the offset may be committed. A failure
 * is first handed to its retry tier or the dead-letter topic.
 */
@Injectable()
export class AttemptService {
  private readonly requests = new KeyedLimiter(MAX_REQUESTS_PER_ENDPOINT);

  constructor(
    private readonly endpoints: EndpointCache,
    private readonly client: EgressClient,
    private readonly recorder: AttemptRecorder,
    private readonly followUp: FollowUp,
    private readonly guard: EndpointGuard,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async attempt(task: DeliveryTask): Promise<void> {
    annotateActiveSpan({
      [HOOKLINE_ATTRIBUTES.applicationId]: task.applicationId,
      [HOOKLINE_ATTRIBUTES.endpointId]: task.endpointId,
      [HOOKLINE_ATTRIBUTES.messageId]: task.messageId,
      [HOOKLINE_ATTRIBUTES.attempt]: task.attempt,
    });
    let target = await this.endpoints.get(task.endpointId);
    if (!target || target.endpoint.disabled) target = await this.endpoints.get(task.endpointId, { fresh: true });
    if (!target || target.endpoint.disabled) {
      this.logger.info({ endpointId: task.endpointId, messageId: task.messageId }, 'endpoint deleted or disabled; task dropped');
      return;
    }
    const { endpoint, secrets } = target;
    // A URL changed after the task was routed must pass verification first, as fanout requires.
    if (endpoint.verificationRequired && !endpoint.verifiedAt) {
      this.logger.info({ endpointId: task.endpointId, messageId: task.messageId }, 'endpoint awaits verification; task dropped');
      return;
    }
    const body = JSON.stringify(task.payload);
    // The slot is held for the request alone, not while the attempt is recorded; admission
    // comes after it, so a rate-limited endpoint counts requests when they really start.
    const attempt = await this.requests.run(endpoint.id, async () => {
      if (!(await this.admitted(task, endpoint.rateLimit, endpoint.updatedAt.getTime()))) return null;
      const attemptedAt = new Date();
      const outcome = await this.client.post({
        url: endpoint.url,
        headers: {
          ...endpoint.headers,
          ...signatureHeaders({ id: task.messageId, timestamp: attemptedAt, body, secrets }),
          'content-type': 'application/json',
        },
        body,
      });
      this.guard.record(endpoint.id, outcome.ok);
      return { attemptedAt, outcome };
    });
    if (!attempt) return;
    const { attemptedAt, outcome } = attempt;
    const result = outcome.ok ? { status: 'succeeded' as const, nextAttemptAt: null } : await this.followUp.afterFailure(task, outcome, attemptedAt);
    const metrics = hooklineMetrics();
    metrics.attempts.add(1, { outcome: outcome.ok ? 'success' : 'failure', status_class: statusClass(outcome.statusCode) });
    if (outcome.ok) metrics.deliveryLatency.record((Date.now() - Date.parse(task.acceptedAt)) / 1000);
    if (result.status === 'dead') metrics.deadLetters.add(1);
    await this.recorder.record({
      attempt: {
        id: uuidv7(),
        messageId: task.messageId,
        endpointId: endpoint.id,
        applicationId: task.applicationId,
        attemptNumber: task.attempt,
        url: endpoint.url,
        succeeded: outcome.ok,
        responseStatusCode: outcome.statusCode,
        responseDurationMs: Math.round(outcome.durationMs),
        responseExcerpt: outcome.responseExcerpt,
        error: outcome.error,
        trigger: task.trigger,
        createdAt: attemptedAt,
      },
      ...result,
    });
  }

  /**
   * Whether the task may be attempted now: a short wait for a rate-limit slot is taken here;
   * a longer one, or an open circuit, postpones the task through the retry tiers instead, or
   * dead-letters it once the postponement would fall past its window.
   */
  private async admitted(task: DeliveryTask, rateLimit: number | null, changedAt: number): Promise<boolean> {
    for (;;) {
      const admission = this.guard.admit(task.endpointId, rateLimit, changedAt);
      if (admission.kind === 'go') return true;
      if (admission.kind === 'defer') {
        if ((await this.followUp.defer(task, admission.ms, admission.reason)) === 'dead') {
          await this.recorder.markDead(task, new Date());
          hooklineMetrics().deadLetters.add(1);
        }
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, admission.ms));
    }
  }
}
