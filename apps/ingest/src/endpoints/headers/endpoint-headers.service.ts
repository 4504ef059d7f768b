import { Injectable } from '@nestjs/common';
import type { Principal } from '../../auth/principal.js';
import { ValidationFailed } from '../../http/errors.js';
import { endpointHeaders } from '../endpoints.schemas.js';
import { EndpointLookup } from '../endpoint-lookup.js';
import { EndpointsService } from '../endpoints.service.js';
import type { EndpointHeadersIn, EndpointHeadersOut, EndpointHeadersPatchIn } from './endpoint-headers.schemas.js';

/** Headers whose values are credentials: named in an answer, never shown (as Svix does). */
const SENSITIVE = new Set(['authorization', 'proxy-authorization', 'proxy-authenticate', 'www-authenticate', 'x-auth-token']);

/** The headers without any named like `name` (header names are case-insensitive). */
const without = (headers: Record<string, string>, name: string) => Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== name.toLowerCase()));

/** Svix's endpoint headers: the extra headers sent with every delivery to the endpoint. */
@Injectable()
export class EndpointHeadersService {
  constructor(
    private readonly lookup: EndpointLookup,
    private readonly endpoints: EndpointsService,
  ) {}

  async get(principal: Principal, appId: string, endpointId: string): Promise<EndpointHeadersOut> {
    const { headers } = await this.lookup.find(principal, appId, endpointId);
    const entries = Object.entries(headers);
    return {
      headers: Object.fromEntries(entries.filter(([name]) => !SENSITIVE.has(name.toLowerCase()))),
      sensitive: entries.map(([name]) => name).filter((name) => SENSITIVE.has(name.toLowerCase())),
    };
  }

  /** Replaces every extra header. */
  async set(principal: Principal, appId: string, endpointId: string, body: EndpointHeadersIn): Promise<void> {
    await this.endpoints.setHeaders(await this.lookup.find(principal, appId, endpointId), body.headers);
  }

  /** Sets the headers given, removes those given null or named in deleteHeaders, keeps the others. */
  async patch(principal: Principal, appId: string, endpointId: string, body: EndpointHeadersPatchIn): Promise<void> {
    const endpoint = await this.lookup.find(principal, appId, endpointId);
    let headers = endpoint.headers;
    for (const [name, value] of Object.entries(body.headers)) headers = value === null ? without(headers, name) : { ...without(headers, name), [name]: value };
    for (const name of body.deleteHeaders ?? []) headers = without(headers, name);
    const checked = endpointHeaders.safeParse(headers);
    if (!checked.success) throw ValidationFailed.fromZod('body', checked.error, ['headers']);
    await this.endpoints.setHeaders(endpoint, checked.data);
  }
}
