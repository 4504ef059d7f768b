import { Coalescer, STATEMENT_LINGER_MS } from '@hookline/batching';
import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { eventValue, firstDeliveryTask, topicName } from '@hookline/contracts';
import { type ConsumedMessage, decodeValue, KafkaProducer } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { type EndpointRoute, subscribes } from './routing.js';

// The endpoints that may receive events: enabled, and past the verification handshake if they
// were created under HOOKLINE_ENDPOINT_VERIFICATION.
const ROUTABLE_ENDPOINTS = `
  SELECT id, application_id AS "applicationId", event_types AS "eventTypes", channels
  FROM endpoints
  WHERE application_id = ANY($1::uuid[]) AND NOT disabled AND (NOT verification_required OR verified_at IS NOT NULL)`;

// Pending status rows, one per (message, endpoint); a redelivered event changes nothing, and a
// row whose message or endpoint was deleted meanwhile is skipped rather than failing the batch.
const INSERT_PENDING = `
  INSERT INTO message_endpoints (message_id, endpoint_id, application_id, status)
  SELECT v.message_id, v.endpoint_id, v.application_id, 'pending'
  FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS v(message_id, endpoint_id, application_id)
  WHERE EXISTS (SELECT 1 FROM endpoints WHERE endpoints.id = v.endpoint_id) AND EXISTS (SELECT 1 FROM messages WHERE messages.id = v.message_id)
  ON CONFLICT DO NOTHING`;

interface PendingRow {
  messageId: string;
  endpointId: string;
  applicationId: string;
}

/**
 * Turns each accepted event into one delivery task per endpoint subscribed to it (routing.ts).
 * Each pair gets a pending status row first, so a redelivered event changes nothing.
 *
 * The events being handled at once share their queries: one lookup of their applications'
 * endpoints and one insert of their status rows per batch, matched in memory.
 */
@Controller()
export class EventsHandler {
  private readonly deliveriesTopic: string;
  private readonly routes = new Coalescer<string, EndpointRoute[]>((applicationIds) => this.routesOf(applicationIds), { maxBatchSize: 500, maxConcurrentBatches: 2, lingerMs: STATEMENT_LINGER_MS });
  private readonly pending = new Coalescer<PendingRow[]>((batches) => this.insertPending(batches.flat()), { maxBatchSize: 500, maxConcurrentBatches: 2, lingerMs: STATEMENT_LINGER_MS });

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly dataSource: DataSource,
    private readonly producer: KafkaProducer,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.deliveriesTopic = topicName(config.kafka.topicPrefix, 'deliveries');
  }

  @EventPattern('events')
  async handle(@Payload() record: ConsumedMessage): Promise<void> {
    const decoded = decodeValue(record, eventValue);
    if (!decoded.ok) {
      // Only ingest writes this topic; a record it cannot have written is logged, not retried forever.
      this.logger.error({ topic: record.topic, offset: record.offset, problem: decoded.problem }, 'unreadable event skipped');
      return;
    }
    const event = decoded.value;
    const endpoints = (await this.routes.add(event.applicationId)).filter((endpoint) => subscribes(endpoint, event));
    if (endpoints.length === 0) return;

    await this.pending.add(endpoints.map((endpoint) => ({ messageId: event.messageId, endpointId: endpoint.id, applicationId: event.applicationId })));
    await this.producer.send(
      this.deliveriesTopic,
      endpoints.map((endpoint) => ({
        key: endpoint.id,
        value: JSON.stringify(firstDeliveryTask({ ...event, acceptedAt: event.createdAt }, endpoint.id, 'scheduled')),
      })),
    );
  }

  private async routesOf(applicationIds: readonly string[]): Promise<EndpointRoute[][]> {
    const rows = (await this.dataSource.query(ROUTABLE_ENDPOINTS, [[...new Set(applicationIds)]])) as EndpointRoute[];
    const byApplication = new Map<string, EndpointRoute[]>();
    for (const row of rows) {
      const routes = byApplication.get(row.applicationId);
      if (routes) routes.push(row);
      else byApplication.set(row.applicationId, [row]);
    }
    return applicationIds.map((id) => byApplication.get(id) ?? []);
  }

  private async insertPending(rows: PendingRow[]): Promise<void> {
    await this.dataSource.query(INSERT_PENDING, [rows.map((row) => row.messageId), rows.map((row) => row.endpointId), rows.map((row) => row.applicationId)]);
  }
}
