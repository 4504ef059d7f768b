import { idBounds, preparedStatement, unnestParameters } from '@hookline/database';
import type { CommittedOffset, ProgressListener } from '@hookline/kafka';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EndpointRow } from './subscriptions.js';

/** A (message, endpoint) pair an event was routed to, whose status row starts as pending. */
export interface PendingRoute {
  messageId: string;
  endpointId: string;
  applicationId: string;
  /** For a FIFO endpoint: the message's ordering key ('' for none) and its position, its event's partition and offset. */
  orderingKey: string | null;
  orderPartition: number | null;
  orderOffset: string | null;
}

// The endpoints that may receive events: enabled, and past the verification handshake if they
// were created under HOOKLINE_ENDPOINT_VERIFICATION.
const ROUTABLE_ENDPOINTS = `
  SELECT id, application_id AS "applicationId", event_types AS "eventTypes", channels, filter, ordering, updated_at AS "updatedAt"
  FROM endpoints
  WHERE application_id = ANY($1::uuid[]) AND NOT disabled AND (NOT verification_required OR verified_at IS NOT NULL)`;

// Pending status rows, one per (message, endpoint); a redelivered event changes nothing, and a
// row whose message or endpoint was deleted meanwhile is skipped rather than failing the batch.
// An event on the events topic twice (the outbox relay emitting it again) keeps its lowest
// position: the first copy is the one ordered with the messages around it. Both copies can land
// in one batch (after a broker restart), and ON CONFLICT DO UPDATE refuses a row proposed twice in
// one statement, so DISTINCT ON keeps the lowest position of each route before the insert. $7 and
// $8, the lowest and highest message id of the batch, keep the planning of the search of messages
// (partitioned by id) to the partitions the batch falls in.
const INSERT_PENDING = preparedStatement('hookline_insert_pending', `
  INSERT INTO message_endpoints (message_id, endpoint_id, application_id, status, ordering_key, order_partition, order_offset)
  SELECT DISTINCT ON (v.message_id, v.endpoint_id) v.message_id, v.endpoint_id, v.application_id, 'pending', v.ordering_key, v.order_partition, v.order_offset
  FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::bigint[]) AS v(message_id, endpoint_id, application_id, ordering_key, order_partition, order_offset)
  WHERE EXISTS (SELECT 1 FROM endpoints WHERE endpoints.id = v.endpoint_id)
    AND EXISTS (SELECT 1 FROM messages WHERE messages.id = v.message_id AND messages.id BETWEEN $7::uuid AND $8::uuid)
  ORDER BY v.message_id, v.endpoint_id, v.order_offset
  ON CONFLICT (message_id, endpoint_id) DO UPDATE SET order_offset = EXCLUDED.order_offset
    WHERE EXCLUDED.order_offset < message_endpoints.order_offset AND EXCLUDED.order_partition = message_endpoints.order_partition`);

// How far fanout got in each partition; a late value from an older consumer generation is still
// true, so the highest wins.
const RECORD_PROGRESS = `
  INSERT INTO fanout_progress (topic, partition, next_offset)
  SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])
  ON CONFLICT (topic, partition) DO UPDATE SET next_offset = GREATEST(fanout_progress.next_offset, EXCLUDED.next_offset)`;

/** The endpoints events are routed to, the pending status row of each route, and fanout's progress. */
@Injectable()
export class RouteRepository implements ProgressListener {
  constructor(private readonly dataSource: DataSource) {}

  /** The routable endpoints of these applications, in no particular order. */
  async routableEndpoints(applicationIds: readonly string[]): Promise<EndpointRow[]> {
    return (await this.dataSource.query(ROUTABLE_ENDPOINTS, [applicationIds])) as EndpointRow[];
  }

  async insertPending(routes: readonly PendingRoute[]): Promise<void> {
    if (routes.length === 0) return;
    await this.dataSource.query(INSERT_PENDING, [
      ...unnestParameters(routes, ['messageId', 'endpointId', 'applicationId', 'orderingKey', 'orderPartition', 'orderOffset']),
      ...idBounds(routes.map((route) => route.messageId)),
    ]);
  }

  /** Every event below `offset` in the partition has its status rows and its tasks (the consumer's commits tell). */
  async progressed(progress: CommittedOffset[]): Promise<void> {
    await this.dataSource.query(RECORD_PROGRESS, unnestParameters(progress, ['topic', 'partition', 'offset']));
  }
}
