import { unnestParameters } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EndpointRow } from './subscriptions.js';

/** A (message, endpoint) pair an event was routed to, whose status row starts as pending. */
export interface PendingRoute {
  messageId: string;
  endpointId: string;
  applicationId: string;
}

// The endpoints that may receive events: enabled, and past the verification handshake if they
// were created under HOOKLINE_ENDPOINT_VERIFICATION.
const ROUTABLE_ENDPOINTS = `
  SELECT id, application_id AS "applicationId", event_types AS "eventTypes", channels, filter, updated_at AS "updatedAt"
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

/** The endpoints events are routed to, and the pending status row of each route. */
@Injectable()
export class RouteRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The routable endpoints of these applications, in no particular order. */
  async routableEndpoints(applicationIds: readonly string[]): Promise<EndpointRow[]> {
    return (await this.dataSource.query(ROUTABLE_ENDPOINTS, [applicationIds])) as EndpointRow[];
  }

  async insertPending(routes: readonly PendingRoute[]): Promise<void> {
    await this.dataSource.query(INSERT_PENDING, unnestParameters(routes, ['messageId', 'endpointId', 'applicationId']));
  }
}
