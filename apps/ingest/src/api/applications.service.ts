import { Coalescer, STATEMENT_LINGER_MS } from '@hookline/batching';
import { Application } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../auth/principal.js';
import { notFound } from '../http/errors.js';
import { isUuid } from '../http/lookup.js';

/** Finds applications by id or uid, within what the caller may see. */
@Injectable()
export class ApplicationsService {
  /** Concurrent lookups (every record of an ingest batch, parallel requests) share one query. */
  private readonly lookups = new Coalescer<string, Application | null>((keys) => this.findAll(keys), { maxBatchSize: 500, maxConcurrentBatches: 4, lingerMs: STATEMENT_LINGER_MS });

  constructor(@InjectRepository(Application) private readonly applications: Repository<Application>) {}

  /** The application named by id or uid, if the caller may see it; a 404 otherwise (never a 403). */
  async resolve(principal: Principal, idOrUid: string): Promise<Application> {
    const application = await this.find(idOrUid);
    if (!application || (principal.kind === 'application' && principal.applicationId !== application.id)) {
      throw notFound('application');
    }
    return application;
  }

  /** An id always wins over a uid: any tenant may set its uid to the text of another's id. */
  find(idOrUid: string): Promise<Application | null> {
    return this.lookups.add(idOrUid);
  }

  private async findAll(keys: readonly string[]): Promise<Array<Application | null>> {
    const ids = keys.filter(isUuid);
    const rows = await this.applications.find({ where: [...(ids.length > 0 ? [{ id: In(ids) }] : []), { uid: In([...keys]) }] });
    const byId = new Map(rows.map((row) => [row.id, row]));
    const byUid = new Map(rows.filter((row) => row.uid !== null).map((row) => [row.uid!, row]));
    return keys.map((key) => byId.get(key) ?? byUid.get(key) ?? null);
  }

  create(fields: { name: string; uid?: string | null; throttleRate?: number | null; metadata?: Record<string, string> }): Promise<Application> {
    return this.applications.save(
      this.applications.create({
        id: uuidv7(),
        name: fields.name,
        uid: fields.uid ?? null,
        rateLimit: fields.throttleRate ?? null,
        metadata: fields.metadata ?? {},
      }),
    );
  }
}
