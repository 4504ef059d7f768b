import { OPERATIONAL_EVENT_TYPES } from '@hookline/contracts';
import type { Endpoint } from '@hookline/database';
import { z } from 'zod';
import { endpointFields, endpointHeaders } from '../endpoints/endpoints.schemas.js';
import { answer, id, idIterator, listOf, metadata, named, timestamps } from '../http/schemas.js';

/** The operational event types an operational endpoint listens to; none given (or null) for all of them. */
const operationalEventTypes = z.array(z.enum(OPERATIONAL_EVENT_TYPES)).min(1).max(OPERATIONAL_EVENT_TYPES.length).nullish();

/** Svix's OperationalWebhookEndpointIn: an endpoint's fields, without channels, listening to operational event types. */
export const operationalWebhookEndpointIn = endpointFields.omit({ channels: true, eventTypes: true, filter: true, ordering: true, filterTypes: true, rateLimit: true }).extend({ eventTypes: operationalEventTypes });
export type OperationalWebhookEndpointIn = z.infer<typeof operationalWebhookEndpointIn>;

/** Svix's OperationalWebhookEndpointUpsertIn (PUT): no secret, no headers (those have their own routes). */
export const operationalWebhookEndpointUpsertIn = operationalWebhookEndpointIn.omit({ secret: true, headers: true });
export type OperationalWebhookEndpointUpsertIn = z.infer<typeof operationalWebhookEndpointUpsertIn>;

export const OperationalWebhookEndpointOut = named(
  'OperationalWebhookEndpointOut',
  z.object({
    id,
    url: z.string(),
    description: z.string(),
    throttleRate: z.number().int().nullable(),
    uid: z.string().nullable(),
    disabled: z.boolean(),
    eventTypes: z.array(z.string()).nullable(),
    ...timestamps,
    metadata,
  }),
);
export type OperationalWebhookEndpointOut = z.output<typeof OperationalWebhookEndpointOut>;
export const ListResponseOperationalWebhookEndpointOut = listOf('ListResponseOperationalWebhookEndpointOut', OperationalWebhookEndpointOut, idIterator);

export const operationalWebhookEndpointOut = answer(OperationalWebhookEndpointOut, (endpoint: Endpoint) => ({ throttleRate: endpoint.rateLimit }));

/** Svix's OperationalWebhookEndpointHeadersIn: the extra headers sent with every operational webhook to the endpoint. */
export const operationalWebhookEndpointHeadersIn = z.object({ headers: endpointHeaders });
export type OperationalWebhookEndpointHeadersIn = z.infer<typeof operationalWebhookEndpointHeadersIn>;

/** Svix's OperationalWebhookEndpointHeadersOut; `sensitive` names headers whose values are withheld: none are. */
export const OperationalWebhookEndpointHeadersOut = named(
  'OperationalWebhookEndpointHeadersOut',
  z.object({ headers: endpointHeaders, sensitive: z.array(z.string()) }),
);
export type OperationalWebhookEndpointHeadersOut = z.output<typeof OperationalWebhookEndpointHeadersOut>;
