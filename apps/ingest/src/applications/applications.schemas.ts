import type { Application } from '@hookline/database';
import { z } from 'zod';
import { answer, id, idIterator, listOf, metadata, named, throttleRate, timestamps, uid } from '../http/schemas.js';

export const applicationIn = z.object({
  name: z.string().min(1).max(256),
  uid: uid.nullish(),
  throttleRate: throttleRate.optional(),
  metadata: metadata.optional(),
});
export type ApplicationIn = z.infer<typeof applicationIn>;

export const applicationPatch = applicationIn.partial();
export type ApplicationPatch = z.infer<typeof applicationPatch>;

export const ApplicationOut = named(
  'ApplicationOut',
  z.object({ id, uid: z.string().nullable(), name: z.string(), throttleRate: z.number().int().nullable(), metadata, ...timestamps }),
);
export type ApplicationOut = z.output<typeof ApplicationOut>;
export const ListResponseApplicationOut = listOf('ListResponseApplicationOut', ApplicationOut, idIterator);

export const applicationOut = answer(ApplicationOut, (app: Application) => ({ throttleRate: app.rateLimit }));
