import type { Logger } from '@hookline/logging';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

export type SweepSchedule = {
  everyMs: number;
  /** Also run once as the service starts, not only after the first interval. */
  atStart?: boolean;
  /** The warning logged when a run fails; the next run tries again. */
  failure: string;
};

/**
 * Work a service repeats for as long as it runs: every `everyMs`, one run at a time (a run that
 * outlasts the interval delays the next rather than overlapping it). Shutdown stops the timer and
 * waits for the run in progress. Subclasses write only `sweep`.
 */
export abstract class PeriodicSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  protected constructor(
    private readonly schedule: SweepSchedule,
    protected readonly logger: Logger,
  ) {}

  /** One run of the work. */
  abstract sweep(): Promise<unknown>;

  onApplicationBootstrap(): void {
    if (this.schedule.atStart) this.runAfterPrevious();
    this.timer = setInterval(() => this.runAfterPrevious(), this.schedule.everyMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private runAfterPrevious(): void {
    this.running = this.running
      .then(async () => void (await this.sweep()))
      .catch((error: unknown) => this.logger.warn({ err: error }, this.schedule.failure));
  }
}
