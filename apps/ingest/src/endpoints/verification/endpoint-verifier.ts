import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import type { Endpoint } from '@hookline/database';
import { AddressPolicy, EgressClient } from '@hookline/egress';
import { SecretBox, signatureHeaders, signingSecrets } from '@hookline/signing';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { EndpointsRepository } from '../endpoints.repository.js';
import type { EndpointVerifyOut } from './endpoint-verification.schemas.js';

/** The event type of the verification request's body. */
export const VERIFICATION_EVENT = 'endpoint.verification';

export type VerificationOutcome = Omit<EndpointVerifyOut, 'verificationRequired'>;

/**
 * Handshakes in flight at once in one ingest instance, at most: each holds an outgoing socket for
 * up to the delivery timeout, and the per-token rate limit alone would let a caller open hundreds.
 */
export const MAX_CONCURRENT_VERIFICATIONS = 16;

/** Every handshake slot is taken: the caller may try again shortly. */
export class VerificationBusyError extends Error {
  constructor() {
    super(`${MAX_CONCURRENT_VERIFICATIONS} endpoint verifications are in progress on this instance; retry in a few seconds`);
  }
}

/**
 * The endpoint verification handshake: a POST signed like any delivery (Standard Webhooks
 * headers, the endpoint's secrets, the endpoint's extra headers) with the body
 * `{"type":"endpoint.verification","challenge":"<random>"}`, through the same guarded client as
 * delivery (address checked at connect, no redirects, the delivery timeout). The endpoint passes
 * by answering 2xx with the JSON `{"challenge":"<the same>"}`; verified_at is then set, for the
 * URL that answered, and fanout starts routing events to the endpoint.
 */
@Injectable()
export class EndpointVerifier implements OnModuleDestroy {
  private readonly client: EgressClient;
  /** The handshake in flight per endpoint and URL: concurrent requests to verify it share it. */
  private readonly inFlight = new Map<string, Promise<VerificationOutcome>>();

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    policy: AddressPolicy,
    private readonly secrets: SecretBox,
    private readonly endpoints: EndpointsRepository,
  ) {
    this.client = new EgressClient({ policy, timeoutMs: config.delivery.timeoutMs, maxResponseExcerptBytes: 4_096 });
  }

  /**
   * Runs the handshake, or joins the one in flight for the same endpoint and URL; throws
   * VerificationBusyError when MAX_CONCURRENT_VERIFICATIONS others are in flight.
   */
  verify(endpoint: Endpoint): Promise<VerificationOutcome> {
    const key = `${endpoint.id} ${endpoint.url}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    if (this.inFlight.size >= MAX_CONCURRENT_VERIFICATIONS) return Promise.reject(new VerificationBusyError());
    const handshake = this.handshake(endpoint).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, handshake);
    return handshake;
  }

  private async handshake(endpoint: Endpoint): Promise<VerificationOutcome> {
    const challenge = randomBytes(24).toString('base64url');
    const body = JSON.stringify({ type: VERIFICATION_EVENT, challenge });
    const outcome = await this.client.post({
      url: endpoint.url,
      headers: { ...endpoint.headers, ...signatureHeaders({ id: `verify_${randomUUID()}`, timestamp: new Date(), body, secrets: signingSecrets(this.secrets, endpoint) }) },
      body,
    });
    let error: string | null = null;
    if (!outcome.ok) error = outcome.error ?? `the endpoint answered HTTP ${outcome.statusCode}, not 2xx`;
    else if (echoedChallenge(outcome.responseExcerpt) !== challenge) error = 'the response did not echo the challenge: expected the JSON {"challenge": "<the challenge sent>"}';
    if (error === null) {
      const verifiedAt = new Date();
      // Only for the URL that answered: a concurrent change of URL must be verified anew.
      if (await this.endpoints.markVerified(endpoint, verifiedAt)) endpoint.verifiedAt = verifiedAt;
      else error = 'the endpoint changed while it was being verified; verify it again';
    }
    return { verified: error === null, verifiedAt: endpoint.verifiedAt?.toISOString() ?? null, statusCode: outcome.statusCode, error };
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.close();
  }
}

function echoedChallenge(response: string): unknown {
  try {
    return (JSON.parse(response) as { challenge?: unknown } | null)?.challenge;
  } catch {
    return undefined;
  }
}
