import { Endpoint, PendingDeletion } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { findByIdOrAlias } from '../http/lookup.js';
import { type ListResponse, paginate } from '../http/pagination.js';
import type { ListQuery } from '../http/schemas.js';

// Whether an enabled endpoint (verified, if it must be) would receive an event of the type on the
// channels: fanout's rule (apps/fanout/src/routing: its routable endpoints, then subscribes()) as one query.
const ANY_SUBSCRIBED = `
  SELECT EXISTS (
    SELECT 1 FROM endpoints
    WHERE application_id = $1 AND NOT disabled AND (NOT verification_required OR verified_at IS NOT NULL)
      AND (event_types IS NULL OR $2 = ANY(event_types)) AND (channels IS NULL OR channels && $3::text[])
  ) AS "active"`;

/** The endpoints table (the secrets' own queries: secrets/endpoint-secrets.repository.ts). */
@Injectable()
export class EndpointsRepository {
  constructor(@InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>) {}

  /** The application's endpoint named by id or uid. */
  findIn(applicationId: string, idOrUid: string): Promise<Endpoint | null> {
    return findByIdOrAlias(this.endpoints, idOrUid, 'uid', { applicationId });
  }

  /** The ids of the application's endpoints. */
  async idsIn(applicationId: string): Promise<string[]> {
    return (await this.endpoints.find({ select: { id: true }, where: { applicationId } })).map((endpoint) => endpoint.id);
  }

  page(applicationId: string, query: ListQuery): Promise<ListResponse<Endpoint>> {
    const builder = this.endpoints.createQueryBuilder('endpoint').where('endpoint.application_id = :applicationId', { applicationId });
    return paginate(builder, 'endpoint.id', query, 'ascending');
  }

  /**
   * Inserts the endpoint unless its application already has `max`, and then answers null. The
   * application's row is locked for the count (FOR NO KEY UPDATE, which does not block messages
   * referencing it), so concurrent inserts cannot pass the limit together.
   */
  insertWithinLimit(endpoint: Endpoint, max: number): Promise<Endpoint | null> {
    return this.endpoints.manager.transaction(async (manager) => {
      await manager.query('SELECT 1 FROM applications WHERE id = $1 FOR NO KEY UPDATE', [endpoint.applicationId]);
      if ((await manager.countBy(Endpoint, { applicationId: endpoint.applicationId })) >= max) return null;
      return manager.save(endpoint);
    });
  }

  save(endpoint: Endpoint): Promise<Endpoint> {
    return this.endpoints.save(endpoint);
  }

  /** Whether any endpoint of the application would receive an event of this type on these channels. */
  async anySubscribed(applicationId: string, eventType: string, channels: readonly string[]): Promise<boolean> {
    const [row] = (await this.endpoints.query(ANY_SUBSCRIBED, [applicationId, eventType, channels])) as Array<{ active: boolean }>;
    return row!.active;
  }

  /** Replaces the endpoint's extra headers, and nothing else of it. */
  async updateHeaders(id: string, headers: Record<string, string>): Promise<void> {
    await this.endpoints.update({ id }, { headers });
  }


  /**
   * Deletes the endpoint and leaves its statuses and attempts to the retention sweep
   * (pending_deletions), so that the request never waits on the partitioned tables.
   */
  async delete(id: string): Promise<void> {
    await this.endpoints.manager.transaction(async (manager) => {
      await manager.delete(Endpoint, { id });
      await manager.createQueryBuilder().insert().into(PendingDeletion).values({ kind: 'endpoint', targetId: id }).orIgnore().execute();
    });
  }

  /** Which of these applications have a FIFO endpoint. */
  async applicationsWithFifoEndpoints(applicationIds: readonly string[]): Promise<Set<string>> {
    const rows = (await this.endpoints.query(`SELECT DISTINCT application_id FROM endpoints WHERE application_id = ANY($1::uuid[]) AND ordering = 'fifo'`, [applicationIds])) as Array<{ application_id: string }>;
    return new Set(rows.map((row) => row.application_id));
  }

  /** Marks the endpoint verified, only while its URL is still the one that answered: false otherwise. */
  async markVerified(endpoint: Endpoint, verifiedAt: Date): Promise<boolean> {
    const updated = await this.endpoints.update({ id: endpoint.id, url: endpoint.url }, { verifiedAt });
    return Boolean(updated.affected);
  }
}
