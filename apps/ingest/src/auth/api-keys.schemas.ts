import type { ApiKey } from '@hookline/database';
import { z } from 'zod';
import { answer, id, idIterator, listOf, named, timestamp } from '../http/schemas.js';

export const apiKeyIn = z.object({ name: z.string().min(1).max(256) });
export type ApiKeyIn = z.infer<typeof apiKeyIn>;

/** Hookline's own: an API key scoped to one application; `key` is shown only in this answer. */
export const ApiKeyOut = named('ApiKeyOut', z.object({ id, name: z.string(), key: z.string(), createdAt: timestamp }));
export type ApiKeyOut = z.output<typeof ApiKeyOut>;

/** A key as listed: never the key itself (only its hash is stored), and when it was revoked, if it was. */
export const ApiKeySummaryOut = named('ApiKeySummaryOut', z.object({ id, name: z.string(), createdAt: timestamp, revokedAt: timestamp.nullable() }));
export type ApiKeySummaryOut = z.output<typeof ApiKeySummaryOut>;
export const ListResponseApiKeySummaryOut = listOf('ListResponseApiKeySummaryOut', ApiKeySummaryOut, idIterator);

export const apiKeySummaryOut = answer(ApiKeySummaryOut, (_: ApiKey) => ({}));
