import type { Upserted } from '../http/upsert.js';
import { CachedLookup, Coalescer, STATEMENT_LINGER_MS } from '@hookline/batching';
import { type Application, isOperationalApplication, OPERATIONAL_APPLICATION_ID } from '@hookline/database';
import { HttpStatus, Injectable } from '@nestjs/common';
import { confinedTo, type Principal } from '../auth/principal.js';
import { ApiError, conflictOnDuplicate, notFound } from '../http/errors.js';
import { type ListResponse, mapPage } from '../http/pagination.js';
import { patcher } from '../http/patch.js';
import { asId, isUuid } from '../http/lookup.js';
import { uid } from '../http/schemas.js';
import { ApplicationsRepository, type NewApplication } from './applications.repository.js';
import { type ApplicationCreateQuery, type ApplicationIn, type ApplicationListQuery, type ApplicationOut, applicationOut, type ApplicationPatch } from './applications.schemas.js';

// throttleRate and rateLimit can only be null (applicationIn): nothing to store.
const patch = patcher<ApplicationPatch, Application>({ name: 'name', uid: 'uid', throttleRate: () => {}, rateLimit: () => {}, metadata: 'metadata' });

/**
 * How long a change to an application (its uid, its deletion) may take to reach the sends of
 * another ingest instance; this instance's own changes reach them at once.
 */
export const APPLICATION_CACHE_TTL_MS = 2_000;

/** An application, unless it is the one that holds the operational webhook endpoints (no caller's to see). */
const customers = (application: Application | null) => (application && isOperationalApplication(application.id) ? null : application);

/** Applications (tenants), found by id or uid within what the caller may see. */
@Injectable()
export class ApplicationsService {
  /** Concurrent lookups (every record of an ingest batch, parallel requests) share one query. */
  private readonly lookups = new Coalescer<string, Application | null>((keys) => this.findAll(keys), { maxBatchSize: 500, maxConcurrentBatches: 4, lingerMs: STATEMENT_LINGER_MS });
  /**
   * Every message sent names its application, so sends find it in memory: one query per TTL, not
   * one per request (docs/performance.md, "The application of a send"). A miss is not kept, so a
   * new application takes messages at once. A send to one deleted meanwhile is still a 404: its
   * insert finds no application (ApplicationGoneError).
   */
  private readonly forSends = new CachedLookup<string, Application | null>((keys) => this.findAll(keys), {
    ttlMs: APPLICATION_CACHE_TTL_MS,
    maxConcurrentLoads: 4,
    keep: (application) => application !== null,
  });

  constructor(private readonly applications: ApplicationsRepository) {}

  /** Svix's create, and its getOrCreate (`get_if_exists`): the application with the body's uid when there is one. */
  async create(body: ApplicationIn, query: ApplicationCreateQuery): Promise<Upserted<ApplicationOut>> {
    const existing = query.get_if_exists === 'true' && body.uid ? await this.find(body.uid) : null;
    if (existing && existing.uid === body.uid) return { created: false, resource: applicationOut(existing) };
    return { created: true, resource: applicationOut(await conflictOnDuplicate(this.applications.insert(body), `an application with uid "${body.uid}" already exists`)) };
  }

  /** Every application for the admin token; only its own for an application's key. */
  async list(principal: Principal, query: ApplicationListQuery): Promise<ListResponse<ApplicationOut>> {
    return mapPage(await this.applications.page(confinedTo(principal), query), applicationOut);
  }

  async get(principal: Principal, idOrUid: string): Promise<ApplicationOut> {
    return applicationOut(await this.resolve(principal, idOrUid));
  }

  /**
   * Svix's upsert (PUT): fields left out take their defaults (but see update, on the uid). The admin token
   * creates the application when none has the path's key, which becomes its uid; a key that is an
   * id (a UUID) names an application by id, which no one chooses: none of that id is a 404.
   */
  async replace(principal: Principal, idOrUid: string, body: ApplicationIn): Promise<Upserted<ApplicationOut>> {
    if (principal.kind === 'admin' && !isUuid(idOrUid) && uid.safeParse(idOrUid).success && !(await this.find(idOrUid))) {
      return { created: true, resource: applicationOut(await conflictOnDuplicate(this.applications.insert({ ...body, uid: idOrUid }), `an application with uid "${idOrUid}" already exists`)) };
    }
    const application = await this.resolve(principal, idOrUid);
    // Addressed by its uid, it keeps it: the same PUT twice leaves the same application. To an
    // application's key the uid is read-only, so left out it stays too.
    const keptUid = principal.kind !== 'admin' || application.uid === idOrUid ? application.uid : null;
    return { created: false, resource: await this.update(application, { uid: keptUid, throttleRate: null, metadata: {}, ...body }, principal) };
  }

  async patch(principal: Principal, idOrUid: string, body: ApplicationPatch): Promise<ApplicationOut> {
    return this.update(await this.resolve(principal, idOrUid), body, principal);
  }

  async remove(principal: Principal, idOrUid: string): Promise<void> {
    await this.applications.delete((await this.resolve(principal, idOrUid)).id);
    this.forSends.clear();
  }

  /** The application named by id or uid, if the caller may see it; a 404 otherwise (never a 403). */
  async resolve(principal: Principal, idOrUid: string): Promise<Application> {
    return visibleTo(principal, await this.find(idOrUid));
  }

  /**
   * The application named by id or uid, if the caller may see it; the admin token may create it
   * along with the request (the `application` field of Svix's message create and portal access),
   * the body's uid or else the path's key becoming its uid. Without a uid that way (the key is an
   * id, which no one chooses, and the body names none) it creates nothing: a 404, as for PUT.
   * `forSend`: a message's send, which may take the application from memory (`forSends`).
   */
  async resolveOrCreate(principal: Principal, idOrUid: string, create: ApplicationIn | null | undefined, { forSend = false } = {}): Promise<Application> {
    const newUid = create?.uid ?? idOrUid;
    const application = forSend ? customers(await this.forSends.get(idOrUid)) : await this.find(idOrUid);
    if (create && principal.kind === 'admin' && !isOperationalApplication(asId(idOrUid) ?? idOrUid) && uid.safeParse(newUid).success && !application) {
      return conflictOnDuplicate(this.applications.insert({ ...create, uid: newUid }), 'the application was created concurrently; retry');
    }
    return visibleTo(principal, application);
  }

  /**
   * An id, in either case, always wins over a uid (which may not look like an id anyway). The
   * operational application is no tenant: it is never found here (nor listed), only by operational().
   */
  async find(idOrUid: string): Promise<Application | null> {
    return customers(await this.lookups.add(idOrUid));
  }

  /** The application that holds the operational webhook endpoints (created by a migration). */
  async operational(): Promise<Application> {
    const application = await this.lookups.add(OPERATIONAL_APPLICATION_ID);
    if (!application) throw new Error('the operational application is missing: run the database migrations');
    return application;
  }

  /** A new application (a uid already taken fails with PostgreSQL's unique violation). */
  insert(fields: NewApplication): Promise<Application> {
    return this.applications.insert(fields);
  }

  private async findAll(keys: readonly string[]): Promise<Array<Application | null>> {
    const rows = await this.applications.findByIdOrUid(keys);
    const byId = new Map(rows.map((row) => [row.id, row]));
    const byUid = new Map(rows.filter((row) => row.uid !== null).map((row) => [row.uid!, row]));
    return keys.map((key) => byId.get(asId(key) ?? '') ?? byUid.get(key) ?? null);
  }

  /**
   * uids are unique across the installation, and only the admin token may set or change one: an
   * application's key that could would learn, from the 409 of a taken uid, that another tenant
   * holds it. To such a key a uid is read-only: left out, it stays as it is (on a PUT too); given
   * unchanged, fine; changed, a 403, whether the uid is taken or free.
   */
  private async update(application: Application, body: ApplicationPatch, principal: Principal): Promise<ApplicationOut> {
    if (principal.kind !== 'admin' && body.uid !== undefined && body.uid !== application.uid) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'forbidden', "an application's uid is set or changed with the admin token only");
    }
    patch(application, body);
    const saved = await conflictOnDuplicate(this.applications.save(application), `an application with uid "${body.uid}" already exists`);
    this.forSends.clear();
    return applicationOut(saved);
  }
}

/** The application if the caller may see it; a 404 otherwise (never a 403, which would tell it exists). */
function visibleTo(principal: Principal, application: Application | null): Application {
  const confined = confinedTo(principal);
  if (!application || (confined !== null && confined !== application.id)) {
    throw notFound('application');
  }
  return application;
}
