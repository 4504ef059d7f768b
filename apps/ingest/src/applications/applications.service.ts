import { Coalescer, STATEMENT_LINGER_MS } from '@hookline/batching';
import type { Application } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { conflictOnDuplicate, notFound } from '../http/errors.js';
import { type ListResponse, mapPage } from '../http/pagination.js';
import { patcher } from '../http/patch.js';
import type { ListQuery } from '../http/schemas.js';
import { ApplicationsRepository, type NewApplication } from './applications.repository.js';
import { type ApplicationIn, type ApplicationOut, applicationOut, type ApplicationPatch } from './applications.schemas.js';

const patch = patcher<ApplicationPatch, Application>({ name: 'name', uid: 'uid', throttleRate: 'rateLimit', metadata: 'metadata' });

/** Applications (tenants), found by id or uid within what the caller may see. */
@Injectable()
export class ApplicationsService {
  /** Concurrent lookups (every record of an ingest batch, parallel requests) share one query. */
  private readonly lookups = new Coalescer<string, Application | null>((keys) => this.findAll(keys), { maxBatchSize: 500, maxConcurrentBatches: 4, lingerMs: STATEMENT_LINGER_MS });

  constructor(private readonly applications: ApplicationsRepository) {}

  async create(body: ApplicationIn): Promise<ApplicationOut> {
    return applicationOut(await conflictOnDuplicate(this.applications.insert(body), `an application with uid "${body.uid}" already exists`));
  }

  /** Every application for the admin token; only its own for an application's key. */
  async list(principal: Principal, query: ListQuery): Promise<ListResponse<ApplicationOut>> {
    return mapPage(await this.applications.page(principal.kind === 'application' ? principal.applicationId : null, query), applicationOut);
  }

  async get(principal: Principal, idOrUid: string): Promise<ApplicationOut> {
    return applicationOut(await this.resolve(principal, idOrUid));
  }

  /** PUT: fields left out take their defaults. */
  async replace(principal: Principal, idOrUid: string, body: ApplicationIn): Promise<ApplicationOut> {
    return this.update(await this.resolve(principal, idOrUid), { uid: null, throttleRate: null, metadata: {}, ...body });
  }

  async patch(principal: Principal, idOrUid: string, body: ApplicationPatch): Promise<ApplicationOut> {
    return this.update(await this.resolve(principal, idOrUid), body);
  }

  async remove(principal: Principal, idOrUid: string): Promise<void> {
    await this.applications.delete((await this.resolve(principal, idOrUid)).id);
  }

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

  /** A new application (a uid already taken fails with PostgreSQL's unique violation). */
  insert(fields: NewApplication): Promise<Application> {
    return this.applications.insert(fields);
  }

  private async findAll(keys: readonly string[]): Promise<Array<Application | null>> {
    const rows = await this.applications.findByIdOrUid(keys);
    const byId = new Map(rows.map((row) => [row.id, row]));
    const byUid = new Map(rows.filter((row) => row.uid !== null).map((row) => [row.uid!, row]));
    return keys.map((key) => byId.get(key) ?? byUid.get(key) ?? null);
  }

  private async update(application: Application, body: ApplicationPatch): Promise<ApplicationOut> {
    patch(application, body);
    return applicationOut(await conflictOnDuplicate(this.applications.save(application), `an application with uid "${body.uid}" already exists`));
  }
}
