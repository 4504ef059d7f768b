import { type PlatformTopics, RETRY_HEADERS } from '@hookline/contracts';
import { type ConsumedMessage, KafkaProducer, PLATFORM_TOPICS, REPEAT_HEADERS } from '@hookline/kafka';
import { HOOKLINE_ATTRIBUTES, tracer } from '@hookline/telemetry';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

/**
 * A task from a retry tier whose due time has come (the transport holds it until then): it goes
 * back to the deliveries topic unchanged, headers included, and its tier offset is committed
 * only once Kafka has acknowledged the re-emit. A tier record read again after a rebalance or a
 * crash may have been re-emitted already: its task says so (REPEAT_HEADER).
 */
@Controller()
export class TiersHandler {
  constructor(
    @Inject(PLATFORM_TOPICS) private readonly topics: PlatformTopics,
    private readonly producer: KafkaProducer,
  ) {}

  @EventPattern('retry')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    // The wait itself, from when the task entered its tier until now, as a span of the trace.
    tracer()
      .startSpan('retry wait', {
        startTime: Number(record.timestamp),
        attributes: {
          [HOOKLINE_ATTRIBUTES.service]: 'retry',
          [HOOKLINE_ATTRIBUTES.attempt]: Number(record.headers[RETRY_HEADERS.attempt]?.toString()),
          'hookline.retry.tier': record.topic,
          'hookline.retry.due_at': record.headers[RETRY_HEADERS.dueAt]?.toString() ?? '',
        },
      })
      .end();
    // The send replaces the record's traceparent with its own span's: the trace goes on from here.
    const headers = record.redelivered ? { ...record.headers, ...REPEAT_HEADERS } : record.headers;
    await this.producer.send(this.topics.deliveries, [{ key: record.key, value: record.value, headers }]);
  }
}
