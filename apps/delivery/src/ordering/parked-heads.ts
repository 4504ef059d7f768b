import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { PeriodicSweep } from '@hookline/service';
import { Inject, Injectable } from '@nestjs/common';
import { OrderedDelivery } from './ordered-delivery.js';
import { OrderingRepository } from './ordering.repository.js';

const SWEEP_EVERY_MS = 10_000;
/** A head parked for less than this may have its promotion on the way (Kafka, a retry tier). */
const PARKED_FOR_MS = 10_000;
/** Heads promoted per sweep, at most. */
const BATCH = 500;

/**
 * Sends the parked heads nobody is sending. A head is promoted when its predecessor's outcome is
 * written, or by any claim of its key that finds it parked; a promotion lost on the way (a produce
 * that failed during a broker outage, a task dropped by a crash) used to wait for the key's next
 * message, and after the load stopped there was none: a chaos run left 1,080 messages of four keys
 * parked with no lease held. Every delivery instance sweeps; a head found is marked promoted, so
 * another sweep, or a claim, sends it again only if that promotion is lost too (docs/adr/0012).
 */
@Injectable()
export class ParkedHeads extends PeriodicSweep {
  constructor(
    @Inject(OrderingRepository) private readonly repository: Pick<OrderingRepository, 'strandedHeads'>,
    @Inject(OrderedDelivery) private readonly ordered: Pick<OrderedDelivery, 'promote'>,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    super({ everyMs: SWEEP_EVERY_MS, failure: 'parked-head sweep failed; it runs again' }, logger);
  }

  /** Promotes the heads parked for a while with their key's lease free; how many. */
  async sweep(): Promise<number> {
    const heads = await this.repository.strandedHeads(PARKED_FOR_MS, BATCH);
    if (heads.length === 0) return 0;
    await this.ordered.promote(heads);
    this.logger.info({ count: heads.length }, 'sent parked heads whose promotion was lost');
    return heads.length;
  }
}
