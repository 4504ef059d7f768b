import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Inject, Injectable } from '@nestjs/common';
import { type MessageRange, RetentionRepository } from './retention.repository.js';

const DAY_MS = 86_400_000;
/** How often the sweep runs (RetentionScheduler); the horizon of the ranges created ahead counts it. */
export const SWEEP_EVERY_MS = 60_000;
/** Rows one statement deletes at most (idempotency keys, the DEFAULT partition, a deletion's batch). */
const BATCH = 5_000;
/** Rows of deleted applications and endpoints one run removes at most, so that a big deletion is spread over runs. */
const DELETION_BUDGET = 50_000;
/** A finished deletion is forgotten only this long after it was asked for: a write that saw the row just before it went is over by then. */
const DELETION_SETTLE_MS = 60_000;
/** How long the partition DDL waits for a table's lock before it gives up until the next run. */
const LOCK_TIMEOUT_MS = 500;

/**
 * The partitions for a retention: each range of message ids spans a quarter of the retention, a
 * day at most (90 days: daily ones), so that what is kept beyond the retention is at most a
 * quarter of it; ranges exist ahead of now by three of them, and never less than three runs of
 * the sweep.
 */
export function partitionPlan(retentionMs: number): { widthMs: number; aheadMs: number } {
  const widthMs = Math.max(1_000, Math.min(DAY_MS, Math.floor(retentionMs / 4 / 1_000) * 1_000));
  return { widthMs, aheadMs: Math.max(3 * widthMs, 3 * SWEEP_EVERY_MS) };
}

/**
 * The ranges to create so that [now, now + ahead) is covered: from the end of the last range, or,
 * when there is none or it ended more than a range ago (the sweep did not run), from the next
 * boundary after now, leaving the gap to the DEFAULT partition (where ids of that time went).
 * Ranges end on multiples of the width (midnight UTC for daily ones); the first one after a range
 * of another width ends on the first such boundary a second or more after its start.
 */
export function rangesToCreate(existing: ReadonlyArray<Pick<MessageRange, 'to'>>, now: number, plan: { widthMs: number; aheadMs: number }): Array<{ from: Date; to: Date }> {
  const { widthMs, aheadMs } = plan;
  const lastEnd = existing.length > 0 ? Math.max(...existing.map((range) => range.to.getTime())) : -Infinity;
  let start = lastEnd >= now - widthMs ? lastEnd : Math.ceil(now / widthMs) * widthMs;
  const ranges = [];
  while (start < now + aheadMs) {
    const end = Math.ceil((start + 1_000) / widthMs) * widthMs;
    ranges.push({ from: new Date(start), to: new Date(end) });
    start = end;
  }
  return ranges;
}

/** What one run of the sweep did. */
export interface SweepReport {
  created: string[];
  dropped: string[];
  /** Ranges past retention kept because work is still under way in them. */
  kept: string[];
  /** Ranges whose creation or drop the next run tries again (a lock not granted in time). */
  busy: string[];
  expiredDefaultMessages: number;
  expiredIdempotencyKeys: number;
  deletedRows: number;
  finishedDeletions: number;
}

/**
 * The retention sweep (ADR 15). Each run:
 * - creates the partitions of messages, message_endpoints and attempts ahead of time;
 * - drops each range whose every message is older than HOOKLINE_RETENTION, as one triple, unless
 *   work is still under way in it (a message still in the outbox, or a delivery pending or with a
 *   retry scheduled that changed within the retry window), which keeps it to a later run;
 * - deletes the DEFAULT partitions' rows (ids outside every range) past retention;
 * - deletes idempotency keys older than HOOKLINE_IDEMPOTENCY_KEY_TTL;
 * - removes, in batches, what belongs to deleted applications and endpoints.
 * Its cost is that of the partitions it creates and drops and the rows it deletes, never a scan
 * of what is kept.
 */
@Injectable()
export class RetentionService {
  constructor(
    @Inject(HOOKLINE_CONFIG) private readonly config: HooklineConfig,
    private readonly repository: RetentionRepository,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async sweep(now = new Date()): Promise<SweepReport> {
    const report: SweepReport = { created: [], dropped: [], kept: [], busy: [], expiredDefaultMessages: 0, expiredIdempotencyKeys: 0, deletedRows: 0, finishedDeletions: 0 };
    const { messagesMs } = this.config.retention;
    const idempotencyKeysMs = this.config.api.idempotencyKeyTtlMs;
    const cutoff = new Date(now.getTime() - messagesMs);
    // A delivery changed since then may still be retried: its window counts from its first
    // attempt, and its last retry may come a tier's delay late.
    const changedSince = new Date(now.getTime() - this.config.retry.deadLetterAfterMs - Math.max(...this.config.retry.scheduleMs));

    const ranges = await this.repository.ranges();
    for (const range of rangesToCreate(ranges, now.getTime(), partitionPlan(messagesMs))) {
      // Ids of the range already in the DEFAULT partition (written while the range was missing)
      // stay there, as PostgreSQL requires: the range starts after them, on a whole second.
      const latest = await this.repository.latestInDefault(range.from, range.to);
      const from = latest ? new Date(Math.ceil((latest.getTime() + 1) / 1_000) * 1_000) : range.from;
      if (from >= range.to) continue;
      // Ranges follow one another: after one that could not be made now, the next run goes on.
      if (!(await this.unlessBusy(report, from.toISOString(), async () => report.created.push(await this.repository.createRange(from, range.to, LOCK_TIMEOUT_MS))))) break;
    }
    for (const range of ranges.filter((candidate) => candidate.to <= cutoff)) {
      if (await this.repository.hasOpenWork(range, changedSince)) {
        report.kept.push(range.suffix);
        continue;
      }
      await this.unlessBusy(report, range.suffix, async () => {
        await this.repository.dropRange(range, LOCK_TIMEOUT_MS);
        report.dropped.push(range.suffix);
      });
    }
    report.expiredDefaultMessages = await this.drain((limit) => this.repository.expireDefault(cutoff, changedSince, limit));
    report.expiredIdempotencyKeys = await this.drain((limit) => this.repository.expireIdempotencyKeys(new Date(now.getTime() - idempotencyKeysMs), limit));
    await this.removeDeleted(ranges.filter((range) => !report.dropped.includes(range.suffix)), now, report);

    if (report.created.length + report.dropped.length + report.kept.length + report.busy.length > 0 || report.deletedRows > 0) {
      this.logger.info({ retention: report }, 'retention sweep');
    }
    return report;
  }

  /** Runs partition DDL; false (and the range noted busy) when the next run has to try again. */
  private async unlessBusy(report: SweepReport, range: string, ddl: () => Promise<unknown>): Promise<boolean> {
    try {
      await ddl();
      return true;
    } catch (error) {
      if (!RETRY_NEXT_RUN.includes((error as { code?: string }).code ?? '')) throw error;
      report.busy.push(range);
      return false;
    }
  }

  /** Runs a batch statement again while it deletes whole batches; answers the rows deleted. */
  private async drain(batch: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (let deleted = BATCH; deleted === BATCH; total += deleted) deleted = await batch(BATCH);
    return total;
  }

  /** Deletes what belongs to deleted applications and endpoints, within this run's budget. */
  private async removeDeleted(ranges: MessageRange[], now: Date, report: SweepReport): Promise<void> {
    for (const deletion of await this.repository.pendingDeletions()) {
      let found = 0;
      for (const range of [...ranges, null]) {
        for (let deleted = BATCH; deleted === BATCH && report.deletedRows < DELETION_BUDGET; found += deleted, report.deletedRows += deleted) {
          deleted = await this.repository.deleteBatch(deletion, range, BATCH);
        }
        if (report.deletedRows >= DELETION_BUDGET) return;
      }
      if (found === 0 && now.getTime() - deletion.requestedAt.getTime() >= DELETION_SETTLE_MS) {
        await this.repository.finishDeletion(deletion);
        report.finishedDeletions++;
      }
    }
  }
}

/**
 * Errors of partition DDL that the next run gets past: lock_not_available (lock_timeout ran out),
 * and check_violation (a row went into the DEFAULT partition for the range meanwhile).
 */
const RETRY_NEXT_RUN = ['55P03', '23514'];
