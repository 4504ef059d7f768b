import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { PeriodicSweep } from '@hookline/service';
import { Inject, Injectable } from '@nestjs/common';
import { RetentionRepository } from './retention.repository.js';
import { RetentionService, SWEEP_EVERY_MS } from './retention.service.js';

/** The PostgreSQL advisory lock that makes one ingest instance at a time run the sweep. */
const SWEEP_LOCK = 0x686b_7274; // "hkrt"

/**
 * Runs the retention sweep in every ingest instance, at start and then every minute; the
 * advisory lock lets one instance at a time run it, the others skip that turn.
 */
@Injectable()
export class RetentionScheduler extends PeriodicSweep {
  constructor(
    private readonly retention: RetentionService,
    private readonly repository: RetentionRepository,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    super({ everyMs: SWEEP_EVERY_MS, atStart: true, failure: 'retention sweep failed; the next run tries again' }, logger);
  }

  async sweep(): Promise<void> {
    await this.repository.exclusively(SWEEP_LOCK, () => this.retention.sweep());
  }
}
