import { jsonObject } from '@hookline/contracts';
import { z } from 'zod';
import { named } from '../http/schemas.js';

/**
 * An endpoint's payload filter: a JSON object in Convoy's filter syntax (libs/filters/README.md),
 * checked by compiling it when it is written.
 */
export const payloadFilter = jsonObject.meta({
  description: 'Payload filter in Convoy\'s syntax: {"amount": {"$gt": 1000}}, operators $eq $neq $gt $gte $lt $lte $in $nin $exist $regex $and $or, dotted paths, $ for any array element',
});

export const filterTestIn = z.object({ filter: payloadFilter, payload: jsonObject });
export type FilterTestIn = z.infer<typeof filterTestIn>;

/** One thing wrong with a filter: its place in the filter document, the operator, and why. */
const FilterProblemOut = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  operator: z.string().optional(),
  code: z.string(),
  message: z.string(),
});

export const FilterTestOut = named('FilterTestOut', z.object({ matches: z.boolean(), problems: z.array(FilterProblemOut) }));
export type FilterTestOut = z.output<typeof FilterTestOut>;
