import { z } from 'zod';
import { named, timestamp } from '../../http/schemas.js';

/** Hookline's own: the outcome of POST .../verify (the verification handshake). */
export const EndpointVerifyOut = named(
  'EndpointVerifyOut',
  z.object({
    verificationRequired: z.boolean(),
    verified: z.boolean(),
    verifiedAt: timestamp.nullable(),
    /** The status the endpoint answered, or null when it could not be reached. */
    statusCode: z.number().int().nullable(),
    /** Why the handshake failed; null when it passed. */
    error: z.string().nullable(),
  }),
);
export type EndpointVerifyOut = z.output<typeof EndpointVerifyOut>;
