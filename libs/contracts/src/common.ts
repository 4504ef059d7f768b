import { z } from 'zod';

/** Event type names as Svix accepts them: letters, digits, `.`, `_`, `-`. */
export const eventTypeName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[a-zA-Z0-9\-_.]+$/, 'letters, digits, "-", "_" and "." only');

export const channelName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-zA-Z0-9\-_.:]+$/, 'letters, digits, "-", "_", "." and ":" only');

/** Any JSON object; the payload of an event. */
export const jsonObject = z.record(z.string(), z.unknown());

export const isoTimestamp = z.iso.datetime({ offset: true });
