import { z } from 'zod';
import { named } from '../../http/schemas.js';
import { endpointHeaders, endpointHeadersChange, headerName } from '../endpoints.schemas.js';

/** Svix's EndpointHeadersIn (PUT): the endpoint's extra headers, all of them. */
export const endpointHeadersIn = z.object({ headers: endpointHeaders });
export type EndpointHeadersIn = z.infer<typeof endpointHeadersIn>;

/**
 * Svix's EndpointHeadersPatchIn: headers to set, or to remove (a null value, as the open-source
 * server takes, or a name in deleteHeaders, as the svix SDK 2 sends). The headers the endpoint is
 * left with are checked by the rule of every endpoint's headers (endpointHeaders).
 */
export const endpointHeadersPatchIn = z.object({
  headers: endpointHeadersChange,
  deleteHeaders: z.array(headerName).max(100).optional(),
});
export type EndpointHeadersPatchIn = z.infer<typeof endpointHeadersPatchIn>;

/** Svix's EndpointHeadersOut: the headers, except those that carry credentials, which are only named. */
export const EndpointHeadersOut = named('EndpointHeadersOut', z.object({ headers: z.record(z.string(), z.string()), sensitive: z.array(z.string()) }));
export type EndpointHeadersOut = z.output<typeof EndpointHeadersOut>;
