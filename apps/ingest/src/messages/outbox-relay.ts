import { storageProblems } from '@hookline/contracts';
import type { Message } from '@hookline/database';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { PeriodicSweep } from '@hookline/service';
import { Inject, Injectable } from '@nestjs/common';
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
export class OutboxRelay extends PeriodicSweep {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly service: MessageService,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    super({ everyMs: SWEEP_EVERY_MS, failure: 'outbox sweep failed' }, logger);
  }

  async sweep(): Promise<number> {
    const stranded = await this.messages.stranded(new Date(Date.now() - GRACE_MS), BATCH);
    const emittable: Message[] = [];
    for (const message of stranded) {
      if (await this.setAsideIfUnemittable(message)) continue;
      emittable.push(message);
    }
    if (emittable.length > 0) {
      await this.service.emit(emittable, { repeat: true });
      this.logger.info({ count: emittable.length }, 'outbox emitted stranded messages');
    }
    return stranded.length;
  }

  /**
   * A message whose payload breaks today's limits (stored before they existed; the API and the
   * ingest topic now refuse it) could not be serialized again downstream, and would fail every
   * sweep and every batch it is in: it is set aside, once, with a log line saying why, and the
   * rows behind it go on. It stays in the messages table and in the outbox, marked.
   */
  private async setAsideIfUnemittable(message: Message): Promise<boolean> {
    const [problem] = storageProblems(message.payload, 1);
    if (!problem) return false;
    const reason = `payload${problem.path.length > 0 ? `.${problem.path.slice(0, 8).join('.')}${problem.path.length > 8 ? '...' : ''}` : ''}: ${problem.message}`;
    await this.messages.quarantine(message.id, reason);
    this.logger.error(
      { messageId: message.id, applicationId: message.applicationId, problem: reason },
      'outbox: message cannot be emitted, set aside (message_outbox.quarantined_at); the others go on',
    );
    return true;
  }
}
