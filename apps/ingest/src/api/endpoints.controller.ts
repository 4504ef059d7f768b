import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { Endpoint } from '@hookline/database';
import { AddressPolicy } from '@hookline/egress';
import { generateSecret, SecretBox } from '@hookline/signing';
import { Body, HttpStatus, Inject, Param, Query } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import { ApplicationsService } from './applications.service.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Operation } from '../http/operation.js';
import { EndpointVerifier } from './endpoint-verifier.js';
import { ApiError, conflictOnDuplicate, notFound, ValidationFailed } from '../http/errors.js';
import { findByIdOrAlias } from '../http/lookup.js';
import * as out from './out.js';
import { endpointOut } from './out.js';
import { paginate } from '../http/pagination.js';
import { endpointIn, endpointPatch, endpointPut, listQuery, secretRotateIn } from './schemas.js';
import { ApiController } from '../http/api-controller.js';

type EndpointFields = z.infer<typeof endpointPatch>;

@ApiController()
export class EndpointsController {
  constructor(
    private readonly applications: ApplicationsService,
    @InjectRepository(Endpoint) private readonly endpoints: Repository<Endpoint>,
    private readonly secrets: SecretBox,
    private readonly policy: AddressPolicy,
    private readonly verifier: EndpointVerifier,
    @Inject(HOOKLINE_CONFIG) private readonly config: HooklineConfig,
  ) {}

  @Operation({ method: 'post', path: '/api/v1/app/{app_id}/endpoint', summary: 'Create endpoint', access: 'token', body: endpointIn, status: 201, response: out.EndpointOut })
  async create(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Body() body: z.infer<typeof endpointIn>) {
    const application = await this.applications.resolve(principal, appId);
    this.checkUrl(body.url);
    // The body schema's pattern (webhookSecret) is parseSecret's rule exactly: a given secret is a valid one.
    const sealed = this.secrets.encrypt(body.secret ?? generateSecret());
    const endpoint = this.endpoints.create({
      id: uuidv7(),
      applicationId: application.id,
      secretCiphertext: sealed.ciphertext,
      secretKeyId: sealed.keyId,
      verificationRequired: this.config.api.endpointVerification,
    });
    this.apply(endpoint, body);
    const saved = await conflictOnDuplicate(this.insertWithinLimit(endpoint), `an endpoint with uid "${body.uid}" already exists`);
    // The endpoint exists either way; until it passes, fanout routes nothing to it (retry: POST .../verify).
    if (saved.verificationRequired) await this.verifier.verify(saved);
    return endpointOut(saved);
  }

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/endpoint', summary: 'List endpoints', access: 'token', query: listQuery, status: 200, response: out.ListResponseEndpointOut })
  async list(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Query() query: z.infer<typeof listQuery>) {
    const application = await this.applications.resolve(principal, appId);
    const builder = this.endpoints.createQueryBuilder('endpoint').where('endpoint.application_id = :appId', { appId: application.id });
    return paginate(builder, 'endpoint.id', query, 'ascending', endpointOut);
  }

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Get endpoint by id or uid', access: 'token', status: 200, response: out.EndpointOut })
  async get(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string) {
    return endpointOut(await this.find(principal, appId, endpointId));
  }

  @Operation({ method: 'put', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Update endpoint', access: 'token', body: endpointPut, status: 200, response: out.EndpointOut })
  async replace(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: z.infer<typeof endpointPut>) {
    const defaults: EndpointFields = { description: '', throttleRate: null, uid: null, disabled: false, eventTypes: null, channels: null, metadata: {}, headers: {} };
    return this.update(await this.find(principal, appId, endpointId), { ...defaults, ...body });
  }

  @Operation({ method: 'patch', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Patch endpoint', access: 'token', body: endpointPatch, status: 200, response: out.EndpointOut })
  async patch(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: EndpointFields) {
    return this.update(await this.find(principal, appId, endpointId), body);
  }

  @Operation({ method: 'delete', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}', summary: 'Delete endpoint', access: 'token', status: 204 })
  async remove(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string): Promise<void> {
    const endpoint = await this.find(principal, appId, endpointId);
    await this.endpoints.delete({ id: endpoint.id });
  }

  @Operation({ method: 'get', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret', summary: "Get the endpoint's signing secret", access: 'token', status: 200, response: out.EndpointSecretOut })
  async secret(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string): Promise<z.output<typeof out.EndpointSecretOut>> {
    const endpoint = await this.find(principal, appId, endpointId);
    return { key: this.secrets.decrypt({ keyId: endpoint.secretKeyId, ciphertext: endpoint.secretCiphertext }) };
  }

  /**
   * Svix's secret rotation: the current secret becomes the previous one, which keeps signing
   * (a second `v1,` entry) for the grace period (HOOKLINE_SECRET_ROTATION_GRACE, or
   * gracePeriodSeconds), and the given or a new secret signs from now on.
   */
  @Operation({
    method: 'post',
    path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret/rotate',
    summary: 'Rotate the signing secret; the previous one keeps signing for a grace period (HOOKLINE_SECRET_ROTATION_GRACE or gracePeriodSeconds)',
    access: 'token',
    body: secretRotateIn,
    status: 204,
  })
  async rotateSecret(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: z.infer<typeof secretRotateIn>): Promise<void> {
    const sealed = this.secrets.encrypt(body?.key ?? generateSecret());
    const graceMs = body?.gracePeriodSeconds != null ? body.gracePeriodSeconds * 1_000 : this.config.api.secretRotationGraceMs;
    // Compare-and-set on the current secret: a concurrent rotation or re-encryption is not overwritten, it is read again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const endpoint = await this.find(principal, appId, endpointId);
      const expiresAt = new Date(Date.now() + graceMs);
      const keepPrevious = graceMs > 0;
      const updated = await this.endpoints.update(
        { id: endpoint.id, secretCiphertext: endpoint.secretCiphertext },
        {
          secretCiphertext: sealed.ciphertext,
          secretKeyId: sealed.keyId,
          previousSecretCiphertext: keepPrevious ? endpoint.secretCiphertext : null,
          previousSecretKeyId: keepPrevious ? endpoint.secretKeyId : null,
          previousSecretExpiresAt: keepPrevious ? expiresAt : null,
        },
      );
      if (updated.affected) return;
    }
    throw new ApiError(HttpStatus.CONFLICT, 'conflict', 'the secret was changed concurrently; rotate again');
  }

  /** Hookline's own: runs the verification handshake again (after a failure, or to check the endpoint answers). */
  @Operation({ method: 'post', path: '/api/v1/app/{app_id}/endpoint/{endpoint_id}/verify', summary: 'Run the endpoint verification handshake again (Hookline)', access: 'token', status: 200, response: out.EndpointVerifyOut })
  async verify(@CurrentPrincipal() principal: Principal, @Param('appId') appId: string, @Param('endpointId') endpointId: string): Promise<z.output<typeof out.EndpointVerifyOut>> {
    const endpoint = await this.find(principal, appId, endpointId);
    return { verificationRequired: endpoint.verificationRequired, ...(await this.verifier.verify(endpoint)) };
  }

  private async update(endpoint: Endpoint, body: EndpointFields) {
    if (body.url !== undefined) this.checkUrl(body.url);
    // A new URL has to prove itself: verifying one URL must not vouch for another.
    const reverify = endpoint.verificationRequired && body.url !== undefined && body.url !== endpoint.url;
    if (reverify) endpoint.verifiedAt = null;
    this.apply(endpoint, body);
    const saved = await conflictOnDuplicate(this.endpoints.save(endpoint), `an endpoint with uid "${body.uid}" already exists`);
    if (reverify) await this.verifier.verify(saved);
    return endpointOut(saved);
  }

  /**
   * Inserts the endpoint unless its application already has HOOKLINE_MAX_ENDPOINTS_PER_APP. The
   * application's row is locked for the count (FOR NO KEY UPDATE, which does not block messages
   * referencing it), so concurrent creates cannot pass the limit together.
   */
  private insertWithinLimit(endpoint: Endpoint): Promise<Endpoint> {
    const max = this.config.api.maxEndpointsPerApplication;
    return this.endpoints.manager.transaction(async (manager) => {
      await manager.query('SELECT 1 FROM applications WHERE id = $1 FOR NO KEY UPDATE', [endpoint.applicationId]);
      if ((await manager.countBy(Endpoint, { applicationId: endpoint.applicationId })) >= max) {
        throw new ApiError(
          HttpStatus.CONFLICT,
          'endpoint_limit_reached',
          `an application may have at most ${max} endpoints (HOOKLINE_MAX_ENDPOINTS_PER_APP); delete one before adding another`,
        );
      }
      return manager.save(endpoint);
    });
  }

  private apply(endpoint: Endpoint, body: EndpointFields): void {
    if (body.url !== undefined) endpoint.url = body.url;
    if (body.description !== undefined) endpoint.description = body.description;
    if (body.throttleRate !== undefined) endpoint.rateLimit = body.throttleRate;
    if (body.uid !== undefined) endpoint.uid = body.uid;
    // Re-enabling starts the endpoint's failure clock (auto-disable, circuit breaker) afresh.
    if (body.disabled === false && endpoint.disabled) endpoint.failingSince = null;
    if (body.disabled !== undefined) endpoint.disabled = body.disabled;
    if (body.eventTypes !== undefined) endpoint.eventTypes = body.eventTypes;
    if (body.channels !== undefined) endpoint.channels = body.channels;
    if (body.metadata !== undefined) endpoint.metadata = body.metadata;
    if (body.headers !== undefined) endpoint.headers = body.headers ?? {};
  }

  /** The scheme is checked now; the address is checked again at every connection by delivery. */
  private checkUrl(url: string): void {
    try {
      this.policy.checkUrl(url);
    } catch (error) {
      throw new ValidationFailed([{ loc: ['body', 'url'], msg: (error as Error).message, type: 'invalid' }]);
    }
  }

  private async find(principal: Principal, appId: string, endpointId: string): Promise<Endpoint> {
    const application = await this.applications.resolve(principal, appId);
    const endpoint = await findByIdOrAlias(this.endpoints, endpointId, 'uid', { applicationId: application.id });
    if (!endpoint) throw notFound('endpoint');
    return endpoint;
  }
}
