import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { RetentionRepository } from './retention.repository.js';
import { RetentionService, SWEEP_EVERY_MS } from './retention.service.js';

/** The PostgreSQL advisory lock that makes one ingest instance at a time run the sweep. */
const SWEEP_LOCK = 0x686b_7274; // "hkrt"

/**
 * Runs the retention sweep in every ingest instance, at start and then every minute; the
 * advisory lock lets one instance at a time run it, the others skip that turn.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly retention: RetentionService,
    private readonly repository: RetentionRepository,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => {
      this.running = this.running
        .then(async () => void (await this.repository.exclusively(SWEEP_LOCK, () => this.retention.sweep())))
        .catch((error: unknown) => this.logger.warn({ err: error }, 'retention sweep failed; the next run tries again'));
    };
    run();
    this.timer = setInterval(run, SWEEP_EVERY_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
