import type { Application } from '@hookline/database';
import { z } from 'zod';
import { answer, id, idIterator, listOf, listQuery, metadata, named, timestamps, uid } from '../http/schemas.js';

/**
 * Svix's application-wide rate limit, which Hookline does not have (rates are limited per
 * endpoint): refused rather than ignored, so that nobody believes it applies.
 */
const noApplicationRate = z.null({ error: "not supported: Hookline limits the rate per endpoint; set the endpoints' throttleRate" }).optional();

export const applicationIn = z.object({
  name: z.string().min(1).max(256),
  uid: uid.nullish(),
  throttleRate: noApplicationRate,
  /** The open-source Svix server's name for throttleRate. */
  rateLimit: noApplicationRate,
  metadata: metadata.optional(),
});
export type ApplicationIn = z.infer<typeof applicationIn>;

/** Svix's getOrCreate: `get_if_exists=true` answers the application that already has the body's uid. */
export const applicationCreateQuery = z.object({ get_if_exists: z.enum(['true', 'false']).default('false') });
export type ApplicationCreateQuery = z.infer<typeof applicationCreateQuery>;

/** Hookline's own addition to Svix's listing: the console's search, run in the database so it reaches every page. */
export const applicationListQuery = listQuery.extend({
  search: z.string().trim().min(1).max(256).optional().describe('Only applications whose name or uid contains this (any case), or whose id it is'),
});
export type ApplicationListQuery = z.infer<typeof applicationListQuery>;

export const applicationPatch = applicationIn.partial();
export type ApplicationPatch = z.infer<typeof applicationPatch>;

export const ApplicationOut = named(
  'ApplicationOut',
  z.object({ id, uid: z.string().nullable(), name: z.string(), metadata, ...timestamps }),
);
export type ApplicationOut = z.output<typeof ApplicationOut>;
export const ListResponseApplicationOut = listOf('ListResponseApplicationOut', ApplicationOut, idIterator);

export const applicationOut = answer<typeof ApplicationOut, Application>(ApplicationOut, () => ({}));
