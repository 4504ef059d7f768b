import type { DeliveryTask } from '@hookline/contracts';
import { type Endpoint, uuidv7 } from '@hookline/database';
import { EgressClient } from '@hookline/egress';
import { KeyedLimiter } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { signatureHeaders } from '@hookline/signing';
import { activeTraceId, annotateActiveSpan, HOOKLINE_ATTRIBUTES, hooklineMetrics, statusClass } from '@hookline/telemetry';
import { Inject, Injectable } from '@nestjs/common';
import type { DeliveryOutcome } from '@hookline/egress';
import { type DeliveryTarget, EndpointCache } from '../endpoints/endpoint-cache.js';
import { EndpointGuard } from '../endpoints/endpoint-guard.js';
import { OperationalReporter } from '../operational/operational-reporter.js';
import { OrderedDelivery } from '../ordering/ordered-delivery.js';
import type { Claim } from '../ordering/ordering.repository.js';
import { type FinalOutcome, OutcomeReporter } from '../outcomes/outcome-reporter.js';
import { type FailureResult, FollowUp, failureText } from '../retries/follow-up.js';
import { AttemptRecorder, type Lease } from './attempt-recorder.js';
import type { Promotion } from './attempt.repository.js';
import { EarlierAttempts, taskAttemptKey, taskAttemptOf } from './earlier-attempts.js';

/** Requests in flight to one endpoint, at most: a slow endpoint occupies these and no more. */
const MAX_REQUESTS_PER_ENDPOINT = 4;
/** An ordered message whose earlier events fanout has not finished asks again this often, */
const PROGRESS_POLL_MS = 50;
/** for this long, before it is postponed through the shortest tier instead. */
const MAX_PROGRESS_WAIT_MS = 2_000;

/** Headers of a delivery to a FIFO endpoint: its ordering key and its position, which grows within the key (with gaps). */
export const ORDERING_HEADERS = { key: 'hookline-ordering-key', position: 'hookline-position' } as const;

type OrderedTask = DeliveryTask & { orderingKey: string };

/** What a task's turn in a request slot gave: a request made, a claim that said other than go, or the task postponed by admission. */
type SlotResult = { kind: 'attempted'; attemptedAt: Date; outcome: DeliveryOutcome; lease: Lease | null } | { kind: 'claimed'; claim: Claim } | { kind: 'postponed' };

/** A request made for a task, and how far what follows it got (see AttemptService.conclude). */
interface SentAttempt {
  /** The endpoint as it was requested: its URL and id are recorded, whatever it has become since. */
  endpoint: Endpoint;
  attemptedAt: Date;
  outcome: DeliveryOutcome;
  lease: Lease | null;
  attemptId: string;
  /** Set once the failure is handed on (null: the request succeeded). */
  failure?: FailureResult | null;
  /** Set once the attempt is recorded. */
  promotions?: Promotion[];
}

/**
 * Makes one attempt of a delivery task: signs the payload (Standard Webhooks, `webhook-id` is
 * the message id so it is stable across retries), POSTs it through the guarded client, and
 * records the attempt and the status it leads to before the offset may be committed. A failure
 * is first handed to its retry tier or the dead-letter topic. Once the attempt is recorded, a
 * task that ended (delivered, dead, or discarded) gets its outcome record, and what operators
 * should hear of (failing, recovered, exhausted) is reported; both before the offset is committed.
 *
 * A task of a FIFO endpoint is first claimed (OrderedDelivery, docs/adr/0012): sent only while it
 * is the head of its key and holds the key's lease; otherwise parked, postponed or dropped.
 */
@Injectable()
export class AttemptService {
  private readonly requests = new KeyedLimiter(MAX_REQUESTS_PER_ENDPOINT);
  /** Scheduled, unordered tasks being attempted, one at a time per message, endpoint and attempt number. */
  private readonly sameTask = new KeyedLimiter(1);
  /** Requests made whose attempt is not yet recorded and reported, by task object (see attempt). */
  private readonly sent = new WeakMap<DeliveryTask, SentAttempt>();
  /** The run of a task object under way: a reading of the same record waits for it. */
  private readonly runs = new WeakMap<DeliveryTask, Promise<void>>();

  constructor(
    private readonly endpoints: EndpointCache,
    private readonly client: EgressClient,
    private readonly recorder: AttemptRecorder,
    private readonly earlier: EarlierAttempts,
    private readonly followUp: FollowUp,
    private readonly guard: EndpointGuard,
    private readonly ordered: OrderedDelivery,
    private readonly outcomes: OutcomeReporter,
    private readonly operational: OperationalReporter,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * `superseded`, when given, aborts once the consumer generation that read the task is over: the
   * task will be read again, so a request not yet started is not made (it throws the abort's reason).
   * `mayRepeat`: the task may repeat one whose attempt was made already (see skipsRepeat).
   */
  async attempt(task: DeliveryTask, superseded?: AbortSignal, mayRepeat = false): Promise<void> {
    // The same record read again (by the next consumer generation) while its earlier run goes on:
    // that run's result is this one's, and if it failed, this one goes on from where it stopped.
    for (let earlier = this.runs.get(task); earlier; earlier = this.runs.get(task)) {
      const succeeded = await earlier.then(
        () => true,
        () => false,
      );
      if (succeeded) return;
    }
    const run = this.run(task, superseded, mayRepeat);
    this.runs.set(task, run);
    try {
      await run;
    } finally {
      if (this.runs.get(task) === run) this.runs.delete(task);
    }
  }

  /** Whether a request was made for the task whose attempt is not recorded yet: a run again records it. */
  awaitsConclusion(task: DeliveryTask): boolean {
    return this.sent.has(task);
  }

  private async run(task: DeliveryTask, superseded: AbortSignal | undefined, mayRepeat: boolean): Promise<void> {
    annotateActiveSpan({
      [HOOKLINE_ATTRIBUTES.applicationId]: task.applicationId,
      [HOOKLINE_ATTRIBUTES.endpointId]: task.endpointId,
      [HOOKLINE_ATTRIBUTES.messageId]: task.messageId,
      [HOOKLINE_ATTRIBUTES.attempt]: task.attempt,
    });
    // The consumer runs a task again, the same object (DeliveriesHandler keeps it by the record's
    // position, also for the next generation's reading), when what follows its request failed
    // (the database away): the request made is recorded, to the endpoint as it was, not made again.
    const made = this.sent.get(task);
    if (made) {
      await this.conclude(task, made);
      this.sent.delete(task);
      return;
    }
    if (task.trigger === 'scheduled' && task.orderingKey === undefined) {
      // A task and its repeat read by this process at once (one batch after a rebalance holds
      // both) take turns, so that the later one finds the earlier one's attempt (skipsRepeat).
      await this.sameTask.run(taskAttemptKey(taskAttemptOf(task)), () => this.attemptAnew(task, superseded, mayRepeat));
      return;
    }
    await this.attemptAnew(task, superseded, false);
  }

  /** A task no request was made for in this process yet; `mayRepeat` only for a scheduled, unordered one. */
  private async attemptAnew(task: DeliveryTask, superseded: AbortSignal | undefined, mayRepeat: boolean): Promise<void> {
    if (mayRepeat && (await this.skipsRepeat(task))) return;
    let target = await this.endpoints.get(task.endpointId);
    if (!target || target.endpoint.disabled) target = await this.endpoints.get(task.endpointId, { fresh: true });
    if (!target || target.endpoint.disabled) {
      this.logger.info({ endpointId: task.endpointId, messageId: task.messageId }, 'endpoint deleted or disabled; task dropped');
      await this.outcomes.report(task, { outcome: 'discarded', attempts: task.attempt - 1, reason: target ? 'endpoint-disabled' : 'endpoint-deleted' });
      return;
    }
    // A URL changed after the task was routed must pass verification first, as fanout requires.
    if (target.endpoint.verificationRequired && !target.endpoint.verifiedAt) {
      this.logger.info({ endpointId: task.endpointId, messageId: task.messageId }, 'endpoint awaits verification; task dropped');
      await this.outcomes.report(task, { outcome: 'discarded', attempts: task.attempt - 1, reason: 'endpoint-not-verified' });
      return;
    }
    // Claimed whatever the endpoint's cached ordering says: the claim reads the endpoint's own
    // (unordered once it is no longer FIFO), so a switch to FIFO holds from its first message.
    if (task.orderingKey !== undefined) {
      const ordered = task as OrderedTask;
      const ready = target;
      await this.ordered.inTurn(ordered, () => this.sendInOrder(ordered, ready, superseded));
      return;
    }
    await this.send(task, target, null, superseded);
  }

  /**
   * Whether the task repeats one whose attempt was made and recorded already (ADR 24, 25): by an
   * earlier consumer whose offset was never committed (a crash, a rebalance, a broker away), or by
   * a copy of the task that went its own way (made twice upstream, then each postponed through the
   * tiers). Then the request is not made again. A success's outcome record is written again, as it
   * may not have left (so is that of a failure that ended its pair, dead or gone). A failure needs
   * nothing more: its follow-up, the next attempt or the dead letter, was handed on before it was
   * recorded, and sending the repeat would start a second chain of attempts. Only a scheduled,
   * unordered task: an operator's resends are each attempt 1 again and set the pair pending, and an
   * ordered task's claim already finds its message done.
   */
  private async skipsRepeat(task: DeliveryTask): Promise<boolean> {
    const earlier = await this.earlier.of(taskAttemptOf(task));
    if (!earlier) return false;
    if (earlier.succeeded) {
      await this.outcomes.report(task, { outcome: 'delivered', attempts: task.attempt, statusCode: earlier.statusCode!, deliveredAt: earlier.answeredAt });
    } else if (earlier.ended === 'dead') {
      await this.outcomes.report(task, { outcome: 'dead', attempts: task.attempt, lastError: failureText(earlier) });
    } else if (earlier.ended === 'gone') {
      await this.outcomes.report(task, { outcome: 'discarded', attempts: task.attempt, reason: 'endpoint-gone' });
    }
    hooklineMetrics().repeatsSkipped.add(1, { attempt: earlier.succeeded ? 'succeeded' : 'failed' });
    return true;
  }

  /** An ordered task, in its key's turn: sent if its claim says so; otherwise what the claim says instead. */
  private async sendInOrder(task: OrderedTask, target: DeliveryTarget, superseded: AbortSignal | undefined): Promise<void> {
    for (let waitedMs = 0; ; waitedMs += PROGRESS_POLL_MS) {
      const claim = await this.send(task, target, task, superseded);
      if (claim === null) return;
      switch (claim.decision) {
        case 'unordered':
          await this.send(task, target, null, superseded);
          return;
        case 'busy':
          // Never dead-lettered for its window: the attempt in flight (this message's, since only a
          // key's head takes its lease) records how it ended, or its lease runs out and this goes.
          // Dead-lettering it here made a message both delivered and dead in a chaos run.
          await this.postpone(task, claim.retryMs ?? 1_000, 'ordered: another attempt of its ordering key is in flight', 'postpone');
          return;
        case 'wait':
          if (waitedMs >= MAX_PROGRESS_WAIT_MS) {
            await this.postpone(task, 1_000, 'ordered: fanout has not finished an earlier event yet');
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, PROGRESS_POLL_MS));
          continue;
        default:
          // done (delivered or dead already) or park (an earlier message is open): the task goes;
          // a parked head that nobody sends is sent now.
          if (claim.decision === 'done') {
            const final = await this.ordered.settledOutcome(task);
            if (final) await this.outcomes.report(task, final);
          }
          if (claim.promote) await this.ordered.promote([{ endpointId: task.endpointId, orderingKey: task.orderingKey, messageId: claim.promote }]);
          return;
      }
    }
  }

  /**
   * One attempt, recorded. With `ordered`, the task is claimed first, inside the request slot so
   * that its lease starts right before the request: the claim is returned unless it said go.
   */
  private async send(task: DeliveryTask, target: DeliveryTarget, ordered: OrderedTask | null, superseded: AbortSignal | undefined): Promise<Claim | null> {
    const slot = await this.request(task, target, ordered, superseded);
    if (slot.kind !== 'attempted') return slot.kind === 'claimed' ? slot.claim : null;
    const sent: SentAttempt = { ...slot, endpoint: target.endpoint, attemptId: uuidv7() };
    const metrics = hooklineMetrics();
    metrics.attempts.add(1, { outcome: sent.outcome.ok ? 'success' : 'failure', status_class: statusClass(sent.outcome.statusCode) });
    if (sent.outcome.ok) metrics.deliveryLatency.record((Date.now() - Date.parse(task.acceptedAt)) / 1000);
    // Kept for a run again (see attempt), unless made under a lease: an ordered task's lease may
    // run out meanwhile, and its claim decides again.
    if (!slot.lease) this.sent.set(task, sent);
    await this.conclude(task, sent);
    this.sent.delete(task);
    return null;
  }

  /**
   * The request, in one of the endpoint's slots: held for the request alone, not while the
   * attempt is recorded; admission comes after the claim, so a rate-limited endpoint counts
   * requests when they really start. A task whose generation ended while it waited for the slot
   * (a rebalance, a consumer crash) goes without a request: whoever reads it again makes it.
   */
  private request(task: DeliveryTask, target: DeliveryTarget, ordered: OrderedTask | null, superseded: AbortSignal | undefined): Promise<SlotResult> {
    const { endpoint, secrets } = target;
    const body = JSON.stringify(task.payload);
    return this.requests.run(endpoint.id, async (): Promise<SlotResult> => {
      superseded?.throwIfAborted();
      let lease: Lease | null = null;
      let orderingHeaders: Record<string, string> = {};
      if (ordered) {
        const claim = await this.ordered.claim(ordered);
        if (claim.decision !== 'go') return { kind: 'claimed', claim };
        lease = { orderingKey: ordered.orderingKey, token: claim.token! };
        orderingHeaders = { [ORDERING_HEADERS.key]: ordered.orderingKey, [ORDERING_HEADERS.position]: claim.position! };
      }
      if (!(await this.admitted(task, endpoint.rateLimit, endpoint.updatedAt.getTime()))) {
        if (lease) await this.ordered.release(endpoint.id, lease);
        return { kind: 'postponed' };
      }
      const attemptedAt = new Date();
      const outcome = await this.client.post({
        url: endpoint.url,
        headers: {
          ...endpoint.headers,
          ...orderingHeaders,
          ...signatureHeaders({ id: task.messageId, timestamp: attemptedAt, body, secrets }),
          'content-type': 'application/json',
        },
        body,
      });
      this.guard.record(endpoint.id, outcome.ok);
      return { kind: 'attempted', attemptedAt, outcome, lease };
    });
  }

  /**
   * What follows a request: a failure handed to its retry tier or the dead-letter topic, the
   * attempt recorded, then its outcome and operational reports. Each step done is kept in `sent`,
   * so a task run again after a failure here goes on from the step that failed.
   */
  private async conclude(task: DeliveryTask, sent: SentAttempt): Promise<void> {
    const { endpoint, attemptedAt, outcome, lease, attemptId } = sent;
    if (sent.failure === undefined) sent.failure = outcome.ok ? null : await this.followUp.afterFailure(task, outcome, attemptedAt, endpoint);
    const { failure } = sent;
    const { status, nextAttemptAt } = failure ?? { status: 'succeeded' as const, nextAttemptAt: null };
    if (!sent.promotions) {
      sent.promotions = await this.recorder.record({
        attempt: {
          id: attemptId,
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
          traceId: activeTraceId(),
        },
        status,
        nextAttemptAt,
        ...(lease && { lease }),
      });
      if (status === 'dead') hooklineMetrics().deadLetters.add(1);
    }
    await Promise.all([
      this.ordered.promote(sent.promotions),
      this.reportOutcome(task, outcome, attemptedAt, failure),
      this.operational.attempted(task, { id: attemptId, statusCode: outcome.statusCode, at: attemptedAt }, outcome.ok, status === 'dead'),
    ]);
  }

  /** The outcome record of a task this attempt ended: delivered, dead, or discarded by a 410 Gone. */
  private async reportOutcome(task: DeliveryTask, outcome: DeliveryOutcome, attemptedAt: Date, failure: FailureResult | null): Promise<void> {
    const attempts = task.attempt;
    const final: FinalOutcome | null = !failure
      ? { outcome: 'delivered', attempts, statusCode: outcome.statusCode!, deliveredAt: new Date(attemptedAt.getTime() + outcome.durationMs) }
      : failure.status === 'dead'
        ? { outcome: 'dead', attempts, lastError: failure.lastError }
        : failure.gone
          ? { outcome: 'discarded', attempts, reason: 'endpoint-gone' }
          : null;
    if (final) await this.outcomes.report(task, final);
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
        await this.postpone(task, admission.ms, admission.reason);
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, admission.ms));
    }
  }

  /** Postpones the task without an attempt, or dead-letters it once that would fall past its window (which moves an ordered key on). */
  private async postpone(task: DeliveryTask, waitMs: number, reason: string, pastWindow?: 'dead-letter' | 'postpone'): Promise<void> {
    const postponement = await this.followUp.defer(task, waitMs, reason, pastWindow);
    if (postponement.kind !== 'dead') return;
    const { promotions, lastAttempt } = await this.recorder.markDead(task, new Date());
    hooklineMetrics().deadLetters.add(1);
    await Promise.all([
      this.ordered.promote(promotions),
      this.outcomes.report(task, { outcome: 'dead', attempts: task.attempt - 1, lastError: postponement.lastError }),
      this.operational.exhausted(task, lastAttempt),
    ]);
  }
}
