import { Coalescer, STATEMENT_LINGER_MS } from '@hookline/batching';
import type { DeliveryTask } from '@hookline/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { AttemptRepository, type SucceededAttempt, type TaskAttempt } from './attempt.repository.js';

/**
 * Whether a task that may repeat one handled before (mayRepeat: read again, or made again
 * upstream) already succeeded: the consumer that had it first may have sent it, recorded it, and
 * died or lost its partitions before the offset was committed. The tasks read again after one
 * rebalance share a statement.
 */
@Injectable()
export class EarlierSuccesses {
  private readonly lookups = new Coalescer<TaskAttempt, SucceededAttempt | null>((wanted) => this.lookUp(wanted), { maxBatchSize: 500, maxConcurrentBatches: 2, lingerMs: STATEMENT_LINGER_MS });

  constructor(@Inject(AttemptRepository) private readonly attempts: Pick<AttemptRepository, 'succeeded'>) {}

  /** The attempt's earlier success, if it was made and succeeded. */
  of(attempt: TaskAttempt): Promise<SucceededAttempt | null> {
    return this.lookups.add(attempt);
  }

  private async lookUp(wanted: readonly TaskAttempt[]): Promise<Array<SucceededAttempt | null>> {
    const found = new Map((await this.attempts.succeeded(wanted)).map((attempt) => [taskAttemptKey(attempt), attempt]));
    return wanted.map((attempt) => found.get(taskAttemptKey(attempt)) ?? null);
  }
}

/** Which attempt a task is. */
export const taskAttemptOf = ({ messageId, endpointId, attempt }: DeliveryTask): TaskAttempt => ({ messageId, endpointId, attemptNumber: attempt });

/** One string per attempt of a task, the same whichever case its ids were written in. */
export const taskAttemptKey = ({ messageId, endpointId, attemptNumber }: TaskAttempt) => `${messageId} ${endpointId} ${attemptNumber}`.toLowerCase();
