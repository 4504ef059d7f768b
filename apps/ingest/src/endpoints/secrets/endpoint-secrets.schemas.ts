import { z } from 'zod';
import { named } from '../../http/schemas.js';
import { webhookSecret } from '../endpoints.schemas.js';

/** Svix's EndpointSecretRotateIn: the new secret (generated when absent) and how long the old one still signs. */
export const secretRotateIn = z
  .object({
    key: webhookSecret.nullish(),
    gracePeriodSeconds: z.number().int().min(0).max(7 * 86_400).nullish(),
  })
  .optional();
export type SecretRotateIn = z.infer<typeof secretRotateIn>;

export const EndpointSecretOut = named('EndpointSecretOut', z.object({ key: webhookSecret }));
export type EndpointSecretOut = z.output<typeof EndpointSecretOut>;
