import { Coalescer, STATEMENT_LINGER_MS } from '@hookline/batching';
import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import type { DeliveryTask } from '@hookline/contracts';
import type { DeliveryStatus } from '@hookline/database';
import { Inject, Injectable } from '@nestjs/common';
import { EndpointDisabler } from '../endpoints/endpoint-disabler.js';
import type { ReportedAttempt } from '../operational/operational-reporter.js';
import { AttemptRepository, type AttemptRow, type EndpointOutcome, type OrderedOutcome, type Promotion, type StatusRow } from './attempt.repository.js';

/** The lease an ordered attempt was made under (docs/adr/0012). */
export interface Lease {
  orderingKey: string;
  token: string;
}

export interface AttemptRecord {
  attempt: AttemptRow;
  /** Where the message stands with the endpoint after this attempt. */
  status: DeliveryStatus;
  /** When the next attempt is due, if one is scheduled. */
  nextAttemptAt: Date | null;
  /** For an ordered message: the lease of its key, released with the outcome. */
  lease?: Lease;
}

const MAX_BATCH = 500;

/**
 * Records each delivery attempt, the message-endpoint status it leads to, and whether its
 * endpoint is failing, in batches: one transaction per batch instead of statements per delivery.
 * record() resolves once its batch is committed, so the consumer commits the Kafka offset only
 * after the outcome is durable. One batch at a time: a status update must not race an older one
 * for the same pair. Endpoints failing for longer than HOOKLINE_ENDPOINT_DISABLE_AFTER are
 * disabled once the batch that shows it is committed. An ordered attempt's key is released in the
 * same transaction, and record() answers the parked heads of its key that must be sent now.
 */
@Injectable()
export class AttemptRecorder {
  private readonly batches = new Coalescer<AttemptRecord, Promotion[]>((records) => this.write(records), { maxBatchSize: MAX_BATCH, maxConcurrentBatches: 1, lingerMs: STATEMENT_LINGER_MS });

  constructor(
    @Inject(AttemptRepository) private readonly attempts: Pick<AttemptRepository, 'writeBatch' | 'markDead' | 'lastAttempt'>,
    @Inject(HOOKLINE_CONFIG) private readonly config: HooklineConfig,
    @Inject(EndpointDisabler) private readonly disabler: Pick<EndpointDisabler, 'disable'>,
  ) {}

  /** Resolves once the batch is committed, with the parked heads of an ordered attempt's key to send now. */
  record(record: AttemptRecord): Promise<Promotion[]> {
    return this.batches.add(record);
  }

  /**
   * Marks a task's pair dead that was dead-lettered without an attempt (rare, so not batched).
   * Answers, for an ordered one, the parked heads of its key to send now; and the last attempt the
   * task made before, if it made one.
   */
  async markDead(
    task: Pick<DeliveryTask, 'messageId' | 'endpointId' | 'applicationId' | 'firstAttemptAt' | 'orderingKey'>,
    at: Date,
  ): Promise<{ promotions: Promotion[]; lastAttempt: ReportedAttempt | null }> {
    const { messageId, endpointId, applicationId, orderingKey } = task;
    const promotions = await this.attempts.markDead({ messageId, endpointId, applicationId, ...(orderingKey !== undefined && { orderingKey }) }, at);
    const lastAttempt = task.firstAttemptAt === null ? null : await this.attempts.lastAttempt(task, new Date(task.firstAttemptAt));
    return { promotions, lastAttempt };
  }

  private async write(records: readonly AttemptRecord[]): Promise<Promotion[][]> {
    const attempts = records.map((record) => record.attempt);
    const ordered: OrderedOutcome[] = records.flatMap(({ attempt, lease }) => (lease ? [{ endpointId: attempt.endpointId, orderingKey: lease.orderingKey, leaseToken: lease.token }] : []));
    const { failing, promotions } = await this.attempts.writeBatch({ attempts, statuses: latestStatuses(records), outcomes: latestOutcomes(attempts), ordered });
    // After the commit: the disable and its operational event follow from what is now durable.
    const limitMs = this.config.delivery.disableEndpointAfterMs;
    const cutoff = Date.now() - limitMs;
    const expired = failing
      .filter((endpoint) => !endpoint.disabled && endpoint.failingSince !== null && endpoint.failingSince.getTime() <= cutoff)
      .map(({ id, applicationId, uid, failingSince }) => ({ id, applicationId, uid, failingSince, occurrence: `failing since ${failingSince!.toISOString()}` }));
    if (expired.length > 0) await this.disabler.disable(expired, `the endpoint failed every attempt for ${Math.round(limitMs / 3_600_000)} h`);
    return records.map(({ attempt, lease }) => (lease ? promotions.filter((promotion) => promotion.endpointId === attempt.endpointId && promotion.orderingKey === lease.orderingKey) : []));
  }
}

/** One status row per pair in a batch: the latest attempt decides it. */
function latestStatuses(records: readonly AttemptRecord[]): StatusRow[] {
  const latest = new Map<string, AttemptRecord>();
  for (const record of records) {
    const key = `${record.attempt.messageId}:${record.attempt.endpointId}`;
    const seen = latest.get(key);
    if (!seen || seen.attempt.attemptNumber <= record.attempt.attemptNumber) latest.set(key, record);
  }
  return [...latest.values()].map(({ attempt, status, nextAttemptAt }) => ({
    messageId: attempt.messageId,
    endpointId: attempt.endpointId,
    applicationId: attempt.applicationId,
    status,
    attemptCount: attempt.attemptNumber,
    lastAttemptAt: attempt.createdAt,
    nextAttemptAt,
  }));
}

/** Each endpoint's latest attempt in a batch: a failure starts its failing_since, a success clears it. */
function latestOutcomes(attempts: readonly AttemptRow[]): EndpointOutcome[] {
  const latest = new Map<string, AttemptRow>();
  for (const attempt of attempts) {
    const seen = latest.get(attempt.endpointId);
    if (!seen || seen.createdAt <= attempt.createdAt) latest.set(attempt.endpointId, attempt);
  }
  return [...latest.values()].map((attempt) => ({ endpointId: attempt.endpointId, succeeded: attempt.succeeded, at: attempt.createdAt }));
}
