import type { Upserted } from '../http/upsert.js';
import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { type Application, Endpoint } from '@hookline/database';
import { AddressPolicy } from '@hookline/egress';
import { generateSecret, SecretBox } from '@hookline/signing';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ApplicationsService } from '../applications/applications.service.js';
import type { Principal } from '../auth/principal.js';
import { FiltersService } from '../filters/filters.service.js';
import { EndpointOrderingService } from './ordering/endpoint-ordering.service.js';
import { ApiError, conflictOnDuplicate, notFound, ValidationFailed } from '../http/errors.js';
import { isUuid } from '../http/lookup.js';
import { type ListResponse, mapPage } from '../http/pagination.js';
import { patcher } from '../http/patch.js';
import { type ListQuery, uid } from '../http/schemas.js';
import { OperationalEvents } from '../operational-webhooks/operational-events.js';
import { EndpointLookup } from './endpoint-lookup.js';
import { EndpointsRepository } from './endpoints.repository.js';
import { type EndpointIn, type EndpointOut, endpointOut, type EndpointPatch, type EndpointPut } from './endpoints.schemas.js';
import type { MessagePrecheckIn, MessagePrecheckOut } from '../messages/messages.schemas.js';
import type { EndpointVerifyOut } from './verification/endpoint-verification.schemas.js';
import { EndpointVerifier, VerificationBusyError } from './verification/endpoint-verifier.js';

const patch = patcher<EndpointPatch, Endpoint>({
  url: 'url',
  description: 'description',
  throttleRate: 'rateLimit',
  uid: 'uid',
  disabled: (endpoint, disabled) => {
    // Re-enabling starts the endpoint's failure clock (auto-disable, circuit breaker) afresh.
    if (!disabled && endpoint.disabled) endpoint.failingSince = null;
    if (disabled !== endpoint.disabled) endpoint.disabledReason = disabled ? 'disabled through the API' : null;
    endpoint.disabled = disabled;
  },
  eventTypes: 'eventTypes',
  channels: 'channels',
  metadata: 'metadata',
  headers: (endpoint, headers) => {
    endpoint.headers = headers ?? {};
  },
  filter: 'filter',
  ordering: 'ordering',
});

/** What a PUT leaves out. */
const PUT_DEFAULTS: EndpointPatch = { description: '', throttleRate: null, uid: null, disabled: false, eventTypes: null, channels: null, metadata: {}, headers: {}, filter: null, ordering: 'none' };

/** An application's endpoints: where its events are delivered. */
@Injectable()
export class EndpointsService {
  constructor(
    @Inject(HOOKLINE_CONFIG) private readonly config: HooklineConfig,
    private readonly applications: ApplicationsService,
    private readonly endpoints: EndpointsRepository,
    private readonly lookup: EndpointLookup,
    private readonly secrets: SecretBox,
    private readonly policy: AddressPolicy,
    private readonly verifier: EndpointVerifier,
    private readonly filters: FiltersService,
    private readonly ordering: EndpointOrderingService,
    private readonly operational: OperationalEvents,
  ) {}

  async create(principal: Principal, appId: string, body: EndpointIn): Promise<EndpointOut> {
    const application = await this.applications.resolve(principal, appId);
    const endpoint = await this.createIn(application, body, { verification: this.config.api.endpointVerification });
    await this.operational.endpointChanged(application, { kind: 'created', endpoint });
    return endpointOut(endpoint);
  }

  /**
   * A new endpoint of the application (a tenant's, or the operational application's); with
   * `verification`, it receives nothing until it passes the handshake, which starts now.
   */
  async createIn(application: Application, body: EndpointIn, { verification }: { verification: boolean }): Promise<Endpoint> {
    this.checkUrl(body.url);
    if (body.filter) this.filters.check(body.filter);
    // The body schema's pattern (webhookSecret) is parseSecret's rule exactly: a given secret is a valid one.
    const sealed = this.secrets.encrypt(body.secret ?? generateSecret());
    const endpoint = Object.assign(new Endpoint(), {
      id: uuidv7(),
      applicationId: application.id,
      secretCiphertext: sealed.ciphertext,
      secretKeyId: sealed.keyId,
      verificationRequired: verification,
      disabledReason: null,
      failingSince: null,
    });
    const max = this.config.api.maxEndpointsPerApplication;
    const saved = await conflictOnDuplicate(this.endpoints.insertWithinLimit(patch(endpoint, body), max), `an endpoint with uid "${body.uid}" already exists`);
    if (!saved) {
      throw new ApiError(HttpStatus.CONFLICT, 'endpoint_limit_reached', `an application may have at most ${max} endpoints (HOOKLINE_MAX_ENDPOINTS_PER_APP); delete one before adding another`);
    }
    // The endpoint exists either way; until it passes, fanout routes nothing to it (retry: POST .../verify).
    if (saved.verificationRequired) await this.verifyIfFree(saved);
    return saved;
  }

  async list(principal: Principal, appId: string, query: ListQuery): Promise<ListResponse<EndpointOut>> {
    const application = await this.applications.resolve(principal, appId);
    return mapPage(await this.endpoints.page(application.id, query), endpointOut);
  }

  async get(principal: Principal, appId: string, endpointId: string): Promise<EndpointOut> {
    return endpointOut(await this.lookup.find(principal, appId, endpointId));
  }

  /**
   * Svix's upsert (PUT): fields left out take their defaults; an endpoint the application does
   * not have is created with the path's key as its uid. A key that is an id (a UUID) names an
   * endpoint by id, which no one chooses: none of that id is a 404.
   */
  async replace(principal: Principal, appId: string, endpointId: string, body: EndpointPut): Promise<Upserted<EndpointOut>> {
    const application = await this.applications.resolve(principal, appId);
    const existing = await this.endpoints.findIn(application.id, endpointId);
    // Addressed by its uid, it keeps it: the same PUT twice leaves the same endpoint.
    if (existing) return { created: false, resource: await this.updateReported(application, existing, { ...PUT_DEFAULTS, uid: existing.uid === endpointId ? endpointId : null, ...body }) };
    if (isUuid(endpointId) || !uid.safeParse(endpointId).success) throw notFound('endpoint');
    return { created: true, resource: await this.create(principal, application.id, { ...body, uid: endpointId }) };
  }

  async patch(principal: Principal, appId: string, endpointId: string, body: EndpointPatch): Promise<EndpointOut> {
    const application = await this.applications.resolve(principal, appId);
    return this.updateReported(application, await this.lookup.findIn(application, endpointId), body);
  }

  async remove(principal: Principal, appId: string, endpointId: string): Promise<void> {
    const application = await this.applications.resolve(principal, appId);
    const endpoint = await this.lookup.findIn(application, endpointId);
    await this.endpoints.delete(endpoint.id);
    await this.operational.endpointChanged(application, { kind: 'deleted', endpoint });
  }

  /** Changes the endpoint as `body` says (a PUT gives every field): the URL is checked, and a new one verified. */
  async update(endpoint: Endpoint, body: EndpointPatch): Promise<Endpoint> {
    if (body.url !== undefined) this.checkUrl(body.url);
    if (body.filter) this.filters.check(body.filter);
    // A new URL has to prove itself: verifying one URL must not vouch for another.
    const reverify = endpoint.verificationRequired && body.url !== undefined && body.url !== endpoint.url;
    if (reverify) endpoint.verifiedAt = null;
    const wasDisabled = endpoint.disabled;
    const saved = await conflictOnDuplicate(this.endpoints.save(patch(endpoint, body)), `an endpoint with uid "${body.uid}" already exists`);
    await this.ordering.changed(saved, wasDisabled);
    if (reverify) await this.verifyIfFree(saved);
    return saved;
  }

  /** Runs the verification handshake again (after a failure, or to check the endpoint answers). */
  async verify(principal: Principal, appId: string, endpointId: string): Promise<EndpointVerifyOut> {
    const endpoint = await this.lookup.find(principal, appId, endpointId);
    try {
      return { verificationRequired: endpoint.verificationRequired, ...(await this.verifier.verify(endpoint)) };
    } catch (error) {
      if (error instanceof VerificationBusyError) throw new ApiError(HttpStatus.TOO_MANY_REQUESTS, 'verification_busy', error.message);
      throw error;
    }
  }

  /** Svix's precheck: whether a message of this type on these channels would go to any endpoint now. */
  async precheck(principal: Principal, appId: string, body: MessagePrecheckIn): Promise<MessagePrecheckOut> {
    const application = await this.applications.resolve(principal, appId);
    return { active: await this.endpoints.anySubscribed(application.id, body.eventType, body.channels ?? []) };
  }

  /** Replaces the endpoint's extra headers (endpointHeaders has checked them). */
  async setHeaders(endpoint: Endpoint, headers: Record<string, string>): Promise<void> {
    await this.endpoints.updateHeaders(endpoint.id, headers);
  }

  /** An update of a tenant's endpoint, reported to operators: updated, and enabled or disabled if it switched. */
  private async updateReported(application: Application, endpoint: Endpoint, body: EndpointPatch): Promise<EndpointOut> {
    const wasDisabled = endpoint.disabled;
    const saved = await this.update(endpoint, body);
    await this.operational.endpointChanged(application, { kind: 'updated', endpoint: saved, wasDisabled });
    return endpointOut(saved);
  }

  /** The handshake after a create or a change of URL; with every slot taken, the endpoint stays unverified until POST .../verify. */
  private async verifyIfFree(endpoint: Endpoint): Promise<void> {
    await this.verifier.verify(endpoint).catch((error: unknown) => {
      if (!(error instanceof VerificationBusyError)) throw error;
    });
  }

  /** The scheme is checked now; the address is checked again at every connection by delivery. */
  private checkUrl(url: string): void {
    try {
      this.policy.checkUrl(url);
    } catch (error) {
      throw new ValidationFailed([{ loc: ['body', 'url'], msg: (error as Error).message, type: 'invalid' }]);
    }
  }
}
