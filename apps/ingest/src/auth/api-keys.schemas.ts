import { z } from 'zod';
import { id, named, timestamp } from '../http/schemas.js';

export const apiKeyIn = z.object({ name: z.string().min(1).max(256) });
export type ApiKeyIn = z.infer<typeof apiKeyIn>;

/** Hookline's own: an API key scoped to one application; `key` is shown only in this answer. */
export const ApiKeyOut = named('ApiKeyOut', z.object({ id, name: z.string(), key: z.string(), createdAt: timestamp }));
export type ApiKeyOut = z.output<typeof ApiKeyOut>;
