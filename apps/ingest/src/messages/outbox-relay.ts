import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MessageService } from './message.service.js';
import { MessagesRepository } from './messages.repository.js';

const SWEEP_EVERY_MS = 5_000;
/** Younger messages are still in their request's own emit. */
const GRACE_MS = 10_000;
/** Stranded messages emitted per sweep, at most. */
const BATCH = 500;

/**
 * Emits messages that were persisted but whose emit to Kafka failed (broker down, process
 * killed between the insert and the send). Together with the insert-then-emit order this is a
 * transactional outbox: an accepted message always reaches the events topic, perhaps twice.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly messages: MessagesRepository,
    private readonly service: MessageService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(async () => void (await this.sweep())).catch((error: unknown) => this.logger.warn({ err: error }, 'outbox sweep failed'));
    }, SWEEP_EVERY_MS);
  }

  async sweep(): Promise<number> {
    const stranded = await this.messages.stranded(new Date(Date.now() - GRACE_MS), BATCH);
    if (stranded.length > 0) {
      await this.service.emit(stranded);
      this.logger.info({ count: stranded.length }, 'outbox emitted stranded messages');
    }
    return stranded.length;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
