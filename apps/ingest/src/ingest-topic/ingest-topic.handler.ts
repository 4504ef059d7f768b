import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { ingestKey, type IngestValue, ingestValue, MAX_MESSAGE_BYTES, REJECTION_REASON_HEADER, topicsFor } from '@hookline/contracts';
import { type ConsumedMessage, decodeValue, KafkaProducer } from '@hookline/kafka';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ApplicationsService } from '../applications/applications.service.js';
import { MessageService, UnstorableMessageError } from '../messages/message.service.js';
import { EmitTurnstile, type Ticket } from './emit-turnstile.js';
import { OrderedApplications } from './ordered-applications.js';

/**
 * Events published straight onto `<prefix>.ingest`. A valid one becomes a message exactly as
 * through the API; anything else is copied to `<prefix>.ingest.rejected` with the reason in a
 * header, and the consumer moves on: never dropped, never a crash loop.
 *
 * Records are handled concurrently, so for an application with a FIFO endpoint the records of
 * one ordering key take turns to emit (EmitTurnstile): their events reach the events topic, whose
 * offsets are their positions, in the ingest topic's order (docs/adr/0012).
 */
@Controller()
export class IngestTopicHandler {
  private readonly rejectedTopic: string;
  private readonly turnstile = new EmitTurnstile();

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly applications: ApplicationsService,
    private readonly messages: MessageService,
    private readonly producer: KafkaProducer,
    private readonly ordered: OrderedApplications,
  ) {
    this.rejectedTopic = topicsFor(config.kafka.topicPrefix).ingestRejected;
  }

  @EventPattern('ingest')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    // Checked and in line before anything is awaited: handlers start in offset order.
    const checked = this.check(record);
    const lane = `${record.partition}\u0000${record.key?.toString('utf8') ?? ''}\u0000${'value' in checked ? (checked.value.orderingKey ?? '') : ''}`;
    const ticket = this.turnstile.enter(lane, record.offset, record.superseded);
    const problem = 'problem' in checked ? checked.problem : await this.accept(checked.key, checked.value, ticket);
    ticket.leave();
    if (problem) {
      await this.producer.send(this.rejectedTopic, [
        {
          key: record.key,
          value: record.value,
          headers: {
            ...record.headers,
            [REJECTION_REASON_HEADER]: bounded(problem),
            'hookline-source': `${record.topic}/${record.partition}/${record.offset}`,
          },
        },
      ]);
    }
  }

  /** The record's key and value, or why they are refused. */
  private check(record: ConsumedMessage): { key: string; value: IngestValue } | { problem: string } {
    const key = ingestKey.safeParse(record.key?.toString('utf8'));
    if (!key.success) return { problem: `key: ${record.key?.length ? key.error.issues[0]!.message : 'the application id or uid is required'}` };
    // The same limit as the API's request body.
    if ((record.value?.length ?? 0) > MAX_MESSAGE_BYTES) return { problem: `value: larger than ${MAX_MESSAGE_BYTES / 1024} KiB` };
    const value = decodeValue(record, ingestValue);
    return value.ok ? { key: key.data, value: value.value } : { problem: value.problem };
  }

  /** Accepts the record, or says why not. */
  private async accept(key: string, value: IngestValue, ticket: Ticket): Promise<string | null> {
    const application = await this.applications.find(key);
    if (!application) return `key: no application with id or uid "${key}"`;
    try {
      const ordered = await this.ordered.has(application.id);
      await this.messages.accept(application.id, value, ordered ? { turn: () => ticket.turn() } : {});
    } catch (error) {
      // Refused for what it holds, it would be refused again: rejected, not retried. Any other
      // failure (the database away) is retried by the consumer.
      if (error instanceof UnstorableMessageError) return `value: ${error.message}`;
      throw error;
    }
    return null;
  }
}

/** Most characters of a rejection reason: a path through a deep or wide value can be long. */
const MAX_REASON_LENGTH = 2_000;

function bounded(reason: string): string {
  return reason.length <= MAX_REASON_LENGTH ? reason : `${reason.slice(0, MAX_REASON_LENGTH)}... (${reason.length - MAX_REASON_LENGTH} more characters)`;
}
