import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { ingestKey, ingestValue, MAX_MESSAGE_BYTES, REJECTION_REASON_HEADER, topicsFor } from '@hookline/contracts';
import { type ConsumedMessage, decodeValue, KafkaProducer } from '@hookline/kafka';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ApplicationsService } from '../applications/applications.service.js';
import { MessageService } from '../messages/message.service.js';

/**
 * Events published straight onto `<prefix>.ingest`. A valid one becomes a message exactly as
 * through the API; anything else is copied to `<prefix>.ingest.rejected` with the reason in a
 * header, and the consumer moves on: never dropped, never a crash loop.
 */
@Controller()
export class IngestTopicHandler {
  private readonly rejectedTopic: string;

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly applications: ApplicationsService,
    private readonly messages: MessageService,
    private readonly producer: KafkaProducer,
  ) {
    this.rejectedTopic = topicsFor(config.kafka.topicPrefix).ingestRejected;
  }

  @EventPattern('ingest')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    const problem = await this.accept(record);
    if (problem) {
      await this.producer.send(this.rejectedTopic, [
        {
          key: record.key,
          value: record.value,
          headers: {
            ...record.headers,
            [REJECTION_REASON_HEADER]: problem,
            'hookline-source': `${record.topic}/${record.partition}/${record.offset}`,
          },
        },
      ]);
    }
  }

  /** Accepts the record, or says why not. */
  private async accept(record: ConsumedMessage): Promise<string | null> {
    const key = ingestKey.safeParse(record.key?.toString('utf8'));
    if (!key.success) return `key: ${record.key?.length ? key.error.issues[0]!.message : 'the application id or uid is required'}`;
    // The same limit as the API's request body.
    if ((record.value?.length ?? 0) > MAX_MESSAGE_BYTES) return `value: larger than ${MAX_MESSAGE_BYTES / 1024} KiB`;
    const value = decodeValue(record, ingestValue);
    if (!value.ok) return value.problem;
    const application = await this.applications.find(key.data);
    if (!application) return `key: no application with id or uid "${key.data}"`;
    await this.messages.accept(application.id, value.value);
    return null;
  }
}
