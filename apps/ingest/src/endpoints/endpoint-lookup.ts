import type { Application, Endpoint } from '@hookline/database';
import { HttpStatus, Injectable } from '@nestjs/common';
import { ApplicationsService } from '../applications/applications.service.js';
import type { Principal } from '../auth/principal.js';
import { ApiError, found } from '../http/errors.js';
import { EndpointsRepository } from './endpoints.repository.js';

/**
 * Finds an application's endpoint by id or uid, with the API's answer when there is none (a 404)
 * or when it may not be sent to (a 409). A provider of its own, below EndpointsService, so that
 * the services EndpointsService itself uses (EndpointOrderingService) find endpoints the same way.
 */
@Injectable()
export class EndpointLookup {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly endpoints: EndpointsRepository,
  ) {}

  /** The endpoint named by id or uid, in an application the caller may see; a 404 otherwise. */
  async find(principal: Principal, appId: string, endpointId: string): Promise<Endpoint> {
    return this.findIn(await this.applications.resolve(principal, appId), endpointId);
  }

  async findIn(application: Application, idOrUid: string): Promise<Endpoint> {
    return found(await this.endpoints.findIn(application.id, idOrUid), 'endpoint');
  }

  /** The endpoint, if it may be sent to: one that must pass the verification handshake receives nothing, not even a resend, until it has (a 409). */
  async findVerifiedIn(application: Application, idOrUid: string): Promise<Endpoint> {
    const endpoint = await this.findIn(application, idOrUid);
    if (endpoint.verificationRequired && endpoint.verifiedAt === null) {
      throw new ApiError(HttpStatus.CONFLICT, 'endpoint_not_verified', 'the endpoint has not passed verification yet: POST .../verify first');
    }
    return endpoint;
  }

  /** The endpoint named by id or uid in the application, or null (a filter that matches nothing). */
  lookup(applicationId: string, idOrUid: string): Promise<Endpoint | null> {
    return this.endpoints.findIn(applicationId, idOrUid);
  }
}
