import { z } from 'zod';
import { applicationIn } from '../../applications/applications.schemas.js';
import { featureFlags } from '../../event-types/event-types.schemas.js';
import { named } from '../../http/schemas.js';

/** Svix's app-portal capabilities. A Hookline portal token carries every one of them. */
const CAPABILITIES = ['ViewBase', 'ViewEndpointSecret', 'ManageEndpointSecret', 'ManageTransformations', 'CreateAttempts', 'ManageEndpoint'] as const;

const EVERY_CAPABILITY = `Hookline's portal tokens carry every capability: leave capabilities out, or list all of ${CAPABILITIES.join(', ')}`;

const sessionId = z.string().min(1).max(256);

/**
 * Svix's AppPortalAccessIn. A token narrower than the whole portal (read-only, or fewer
 * capabilities) is refused rather than silently given more than was asked.
 */
export const appPortalAccessIn = z
  .object({
    application: applicationIn.nullish(),
    readOnly: z.literal(false, { error: "read-only portal tokens are not available: Hookline's portal tokens carry every capability (leave readOnly out, or false)" }).nullish(),
    /** Svix's default, every capability, is the only set: all six, or none named. */
    capabilities: z
      .array(z.enum(CAPABILITIES))
      .length(CAPABILITIES.length, EVERY_CAPABILITY)
      .refine((asked) => new Set(asked).size === asked.length, EVERY_CAPABILITY)
      .meta({ uniqueItems: true })
      .nullish(),
    /** The flags whose flagged event types the session is shown. */
    featureFlags: featureFlags.optional(),
    /** Seconds the token lasts (Svix allows 1 hour to 7 days); HOOKLINE_PORTAL_TOKEN_TTL when left out. */
    expiry: z.number().int().min(3_600).max(7 * 86_400).nullish(),
    sessionId: sessionId.nullish(),
  })
  .optional();
export type AppPortalAccessIn = z.infer<typeof appPortalAccessIn>;

/** Svix's AppPortalAccessOut: the portal's link (the token in its fragment) and the token. */
export const AppPortalAccessOut = named('AppPortalAccessOut', z.object({ url: z.url(), token: z.string() }));
export type AppPortalAccessOut = z.output<typeof AppPortalAccessOut>;

/** Svix's ApplicationTokenExpireIn: end the application's portal sessions, at once or in `expiry` seconds, all or those of some sessions. */
export const applicationTokenExpireIn = z
  .object({
    expiry: z.number().int().min(0).max(7 * 86_400).nullish(),
    sessionIds: z.array(sessionId).max(100).optional(),
  })
  .optional();
export type ApplicationTokenExpireIn = z.infer<typeof applicationTokenExpireIn>;
