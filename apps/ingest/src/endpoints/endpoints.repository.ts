import { Endpoint } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { findByIdOrAlias } from '../http/lookup.js';
import { type ListResponse, paginate } from '../http/pagination.js';
import type { ListQuery } from '../http/schemas.js';

/** The endpoints table (the secrets' own queries: secrets/endpoint-secrets.repository.ts). */
@Injectable()
export class EndpointsRepository {
  constructor(@InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>) {}

  /** The application's endpoint named by id or uid. */
  findIn(applicationId: string, idOrUid: string): Promise<Endpoint | null> {
    return findByIdOrAlias(this.endpoints, idOrUid, 'uid', { applicationId });
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

  async delete(id: string): Promise<void> {
    await this.endpoints.delete({ id });
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
