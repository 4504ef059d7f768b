import { Coalescer, STATEMENT_LINGER_MS } from '@hookline/batching';
import type { DeliveryTask } from '@hookline/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { AttemptRepository, type RecordedAttempt, type TaskAttempt } from './attempt.repository.js';

/**
 * Whether a task that may repeat one handled before (read again, made again upstream, or back
 * from a retry tier) was attempted already: the consumer that had it first may have sent it,
 * recorded it, and died or lost its partitions before the offset was committed, or a copy of the
 * task went its own way through the tiers. The tasks looked up at once share a statement.
 */
@Injectable()
export class EarlierAttempts {
  private readonly lookups = new Coalescer<TaskAttempt, RecordedAttempt | null>((wanted) => this.lookUp(wanted), { maxBatchSize: 500, maxConcurrentBatches: 2, lingerMs: STATEMENT_LINGER_MS });

  constructor(@Inject(AttemptRepository) private readonly attempts: Pick<AttemptRepository, 'recorded'>) {}

  /** The attempt as recorded, if it was made and its repeat need not be (AttemptRepository.recorded). */
  of(attempt: TaskAttempt): Promise<RecordedAttempt | null> {
    return this.lookups.add(attempt);
  }

  private async lookUp(wanted: readonly TaskAttempt[]): Promise<Array<RecordedAttempt | null>> {
    const found = new Map((await this.attempts.recorded(wanted)).map((attempt) => [taskAttemptKey(attempt), attempt]));
    return wanted.map((attempt) => found.get(taskAttemptKey(attempt)) ?? null);
  }
}

/** Which attempt a task is. */
export const taskAttemptOf = ({ messageId, endpointId, attempt }: DeliveryTask): TaskAttempt => ({ messageId, endpointId, attemptNumber: attempt });

/** One string per attempt of a task, the same whichever case its ids were written in. */
export const taskAttemptKey = ({ messageId, endpointId, attemptNumber }: TaskAttempt) => `${messageId} ${endpointId} ${attemptNumber}`.toLowerCase();
