import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApplicationsService } from '../applications/applications.service.js';
import type { Principal } from '../auth/principal.js';
import { EndpointLookup } from '../endpoints/endpoint-lookup.js';
import { emptyPage, type ListResponse, mapPage } from '../http/pagination.js';
import { RedeliveryService } from '../messages/redelivery.service.js';
import { type DeadLetterFilter, DeadLettersRepository } from './dead-letters.repository.js';
import { type DeadLetterOut, deadLetterOut, type DeadLetterQuery, type RecoverIn, type RecoverOut, type ReplayIn, type ReplayOut } from './dead-letters.schemas.js';

/** At most this many deliveries are re-sent by one replay or recover call. */
const MAX_REDELIVERIES = 10_000;

/**
 * Deliveries that failed for good, and sending them again: Hookline's dead letters (whose retry
 * window ran out) with their replay, and Svix's recover of an endpoint's failed messages.
 */
@Injectable()
export class DeadLettersService {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly endpoints: EndpointLookup,
    private readonly deadLetters: DeadLettersRepository,
    private readonly redelivery: RedeliveryService,
  ) {}

  /** Svix's recover: every message that failed or died on this endpoint in the period is sent again. */
  async recover(principal: Principal, appId: string, endpointId: string, body: RecoverIn): Promise<RecoverOut> {
    const endpoint = await this.endpoints.findVerifiedIn(await this.applications.resolve(principal, appId), endpointId);
    await this.redelivery.redeliverMany(await this.deadLetters.failedOn(endpoint.id, body.since, body.until, MAX_REDELIVERIES));
    return { id: randomUUID(), status: 'finished', task: 'endpoint.recover', updatedAt: new Date().toISOString() };
  }

  async list(principal: Principal, appId: string, query: DeadLetterQuery): Promise<ListResponse<DeadLetterOut>> {
    const application = await this.applications.resolve(principal, appId);
    const filter = await this.filter(application.id, query.endpoint_id, query);
    return filter ? mapPage(await this.deadLetters.page(application.id, filter, query), deadLetterOut) : emptyPage();
  }

  /** Sends dead letters again with a fresh retry schedule; they are pending until it ends. */
  async replay(principal: Principal, appId: string, body: ReplayIn): Promise<ReplayOut> {
    const application = await this.applications.resolve(principal, appId);
    const filter = await this.filter(application.id, body.endpointId, body);
    return { replayed: filter ? await this.redelivery.redeliverMany(await this.deadLetters.forReplay(application.id, filter, body.msgIds, MAX_REDELIVERIES)) : 0 };
  }

  /**
   * The endpoint (id or uid) is a filter like the times, not the resource of the path: one the
   * application lacks matches nothing (null).
   */
  private async filter(applicationId: string, endpoint: string | null | undefined, times: Omit<DeadLetterFilter, 'endpointId'>): Promise<DeadLetterFilter | null> {
    if (!endpoint) return { since: times.since, until: times.until };
    const found = await this.endpoints.lookup(applicationId, endpoint);
    return found ? { endpointId: found.id, since: times.since, until: times.until } : null;
  }
}
