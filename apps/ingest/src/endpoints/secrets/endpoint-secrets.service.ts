import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import type { Endpoint } from '@hookline/database';
import { generateSecret, SecretBox } from '@hookline/signing';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../../auth/principal.js';
import { ApiError } from '../../http/errors.js';
import { EndpointLookup } from '../endpoint-lookup.js';
import { EndpointSecretsRepository } from './endpoint-secrets.repository.js';
import type { EndpointSecretOut, SecretRotateIn } from './endpoint-secrets.schemas.js';

/** How often a rotation reads the endpoint again when its secret changed meanwhile. */
const ROTATION_ATTEMPTS = 3;

/** An endpoint's signing secret: shown to its application, and rotated with a grace period. */
@Injectable()
export class EndpointSecretsService {
  constructor(
    @Inject(HOOKLINE_CONFIG) private readonly config: HooklineConfig,
    private readonly endpoints: EndpointLookup,
    private readonly secrets: EndpointSecretsRepository,
    private readonly box: SecretBox,
  ) {}

  async get(principal: Principal, appId: string, endpointId: string): Promise<EndpointSecretOut> {
    return this.secretOf(await this.endpoints.find(principal, appId, endpointId));
  }

  /** The endpoint's current secret, decrypted. */
  secretOf(endpoint: Endpoint): EndpointSecretOut {
    return { key: this.box.decrypt({ keyId: endpoint.secretKeyId, ciphertext: endpoint.secretCiphertext }) };
  }

  async rotate(principal: Principal, appId: string, endpointId: string, body: SecretRotateIn): Promise<void> {
    await this.rotateOf(() => this.endpoints.find(principal, appId, endpointId), body);
  }

  /**
   * Svix's secret rotation of the endpoint `find` reads: the current secret becomes the previous
   * one, which keeps signing (a second `v1,` entry) for the grace period (HOOKLINE_SECRET_ROTATION_GRACE,
   * or gracePeriodSeconds), and the given or a new secret signs from now on.
   */
  async rotateOf(find: () => Promise<Endpoint>, body: SecretRotateIn): Promise<void> {
    const sealed = this.box.encrypt(body?.key ?? generateSecret());
    const graceMs = body?.gracePeriodSeconds != null ? body.gracePeriodSeconds * 1_000 : this.config.api.secretRotationGraceMs;
    const keepPrevious = graceMs > 0;
    for (let attempt = 0; attempt < ROTATION_ATTEMPTS; attempt++) {
      const endpoint = await find();
      const rotated = await this.secrets.replaceIfUnchanged(endpoint, {
        secretCiphertext: sealed.ciphertext,
        secretKeyId: sealed.keyId,
        previousSecretCiphertext: keepPrevious ? endpoint.secretCiphertext : null,
        previousSecretKeyId: keepPrevious ? endpoint.secretKeyId : null,
        previousSecretExpiresAt: keepPrevious ? new Date(Date.now() + graceMs) : null,
      });
      if (rotated) return;
    }
    throw new ApiError(HttpStatus.CONFLICT, 'conflict', 'the secret was changed concurrently; rotate again');
  }
}
