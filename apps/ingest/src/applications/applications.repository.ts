import { Application, OPERATIONAL_APPLICATION_ID, PendingDeletion } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { asId } from '../http/lookup.js';
import { type ListResponse, paginate } from '../http/pagination.js';
import type { ApplicationListQuery } from './applications.schemas.js';

export interface NewApplication {
  name: string;
  uid?: string | null;
  metadata?: Record<string, string>;
}

/** The applications table. */
@Injectable()
export class ApplicationsRepository {
  constructor(@InjectRepository(Application) private readonly applications: Repository<Application>) {}

  /** The applications whose id or uid is one of the keys, in one query. */
  findByIdOrUid(keys: readonly string[]): Promise<Application[]> {
    const ids = keys.map(asId).filter((id) => id !== null);
    return this.applications.find({ where: [...(ids.length > 0 ? [{ id: In(ids) }] : []), { uid: In([...keys]) }] });
  }

  insert(fields: NewApplication): Promise<Application> {
    return this.applications.save(
      this.applications.create({
        id: uuidv7(),
        name: fields.name,
        uid: fields.uid ?? null,
        metadata: fields.metadata ?? {},
      }),
    );
  }

  save(application: Application): Promise<Application> {
    return this.applications.save(application);
  }

  /**
   * Deletes the application (its endpoints and API keys with it) and leaves its messages, with
   * their statuses and attempts, to the retention sweep (pending_deletions), so that the request
   * never waits on the partitioned tables.
   */
  async delete(id: string): Promise<void> {
    await this.applications.manager.transaction(async (manager) => {
      await manager.delete(Application, { id });
      await manager.createQueryBuilder().insert().into(PendingDeletion).values({ kind: 'application', targetId: id }).orIgnore().execute();
    });
  }

  /** A page of every tenant (the operational application is none), or of the one with `onlyId`; `search` narrows it by name, uid or id. */
  page(onlyId: string | null, query: ApplicationListQuery): Promise<ListResponse<Application>> {
    const builder = this.applications.createQueryBuilder('app').where('app.id <> :operational', { operational: OPERATIONAL_APPLICATION_ID });
    if (onlyId !== null) builder.andWhere('app.id = :id', { id: onlyId });
    if (query.search !== undefined) {
      // The search's own % and _ are literal, not wildcards.
      const contains = `%${query.search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
      builder.andWhere('(app.name ILIKE :contains OR app.uid ILIKE :contains OR app.id = :searchedId)', { contains, searchedId: asId(query.search) });
    }
    return paginate(builder, 'app.id', query, 'ascending');
  }
}
