import { duration } from '@hookline/config';
import { z } from 'zod';
import { id, instant, named, timestamp } from '../http/schemas.js';

const DAY = 86_400_000;
/** Widest range of the application and endpoint stats: their cost grows with the attempts in it. */
export const MAX_STATS_RANGE_MS = 31 * DAY;
/** Widest range of the overview, and most buckets in it. */
export const MAX_OVERVIEW_RANGE_MS = 7 * DAY;
export const MAX_BUCKETS = 1_440;
/**
 * A bucket width: whole seconds from 10s, or whole minutes, hours or days; a pattern, so that the
 * document says it. At most 6, 5, 4 and 3 digits (11 days of seconds to 999 days): longer ones
 * once passed PostgreSQL's interval range, a 500.
 */
const BUCKET_PATTERN = /^(?:[1-9]\d{1,5}s|[1-9]\d{0,4}m|[1-9]\d{0,3}h|[1-9]\d{0,2}d)$/;


/** Svix's EndpointGetStatsOptions (and the application's): a range of time, by default the last 28 days for an endpoint (as Svix) and 24 hours for an application. */
export const statsQuery = z.object({
  since: instant.optional().meta({ description: "Start of the range (default: 28 days before until for an endpoint's stats, as Svix's, 24 hours for an application's); the range spans at most 31 days" }),
  until: instant.optional().meta({ description: 'End of the range (default: now); after since' }),
});
export type StatsQuery = z.infer<typeof statsQuery>;

/**
 * Svix's EndpointStats: `success` and `fail` count the endpoint's attempts made in the range;
 * `pending` its deliveries waiting for an attempt now (first or retry); Hookline records no attempt
 * in flight nor cancels any, so `sending` and `canceled` are 0. `circuitOpen` is Hookline's own.
 */
export const EndpointStats = named(
  'EndpointStats',
  z.object({
    success: z.number().int(),
    pending: z.number().int(),
    sending: z.number().int(),
    fail: z.number().int(),
    canceled: z.number().int(),
    circuitOpen: z
      .boolean()
      .meta({ description: "Hookline's own: whether delivery's circuit breaker holds the endpoint's deliveries back now (its last HOOKLINE_CIRCUIT_BREAKER_THRESHOLD attempts failed, and it was not changed since)" }),
  }),
);
export type EndpointStats = z.output<typeof EndpointStats>;

const attemptCounts = z.object({ success: z.number().int(), fail: z.number().int() }).meta({ description: 'Attempts made in the range, by outcome' });
const deliveryCounts = z.object({ pending: z.number().int(), dead: z.number().int() }).meta({ description: 'Deliveries now: waiting for an attempt, dead-lettered (not replayed since)' });

/** Hookline's own: an application's attempts in the range and deliveries now, in all and per endpoint. */
export const ApplicationStats = named(
  'ApplicationStats',
  z.object({
    since: timestamp,
    until: timestamp,
    attempts: attemptCounts,
    deliveries: deliveryCounts,
    endpoints: z.array(z.object({ endpointId: id, attempts: attemptCounts, deliveries: deliveryCounts })),
  }),
);
export type ApplicationStats = z.output<typeof ApplicationStats>;

/** The overview's range (the last 3 hours by default) and bucket width (a duration such as 1m, 5m or 1h). */
export const overviewQuery = z.object({
  since: instant.optional().meta({ description: 'Start of the range (default: 3 hours before until); the range spans at most 7 days' }),
  until: instant.optional().meta({ description: 'End of the range (default: now); after since' }),
  bucket: z
    .string()
    .regex(BUCKET_PATTERN, 'a whole number of seconds (10s to 999999s), minutes (up to 99999m), hours (9999h) or days (999d), such as 1m')
    .pipe(duration)
    .optional()
    .meta({ description: 'Width of each bucket, such as 1m (the default), 5m or 1h: at least 10s, at most 1,440 buckets in the range' }),
});
export type OverviewQuery = z.infer<typeof overviewQuery>;

/** Hookline's own: the installation at a glance, for the console's overview page (admin token). */
export const StatsOverview = named(
  'StatsOverview',
  z.object({
    since: timestamp,
    until: timestamp,
    bucket: z.string().meta({ description: 'Width of each bucket (1m)' }),
    buckets: z.array(
      z.object({
        start: timestamp,
        delivered: z.number().int().meta({ description: 'Attempts that succeeded, started in the bucket' }),
        failed: z.number().int().meta({ description: 'Attempts that failed, started in the bucket' }),
        dead: z.number().int().meta({ description: 'Deliveries dead-lettered in the bucket and not replayed since' }),
      }),
    ),
    successRate: z.number().min(0).max(1).nullable().meta({ description: 'Attempts that succeeded in the range, of all attempts made in it; null when none were' }),
    retryTiers: z.array(
      z.object({
        tier: z.string().meta({ description: 'The delay of the tier (5s, 5m, ...)' }),
        topic: z.string(),
        waiting: z.number().int().nullable().meta({ description: "Tasks in the tier topic past the retry service's committed offset; null when Kafka did not answer" }),
      }),
    ),
    deadLetters: z.number().int().meta({ description: 'Deliveries dead-lettered and not replayed since, in all' }),
  }),
);
export type StatsOverview = z.output<typeof StatsOverview>;

/** The open-source Svix server's application attempt stats: both ends of the range, or neither (the last 6 hours). */
export const appAttemptStatsQuery = z.object({
  startDate: instant.optional().meta({ description: 'Start of the range, given with endDate (default: 6 hours before now); the range spans at most 1 day' }),
  endDate: instant.optional().meta({ description: 'End of the range, given with startDate; after it, and taken as now if later' }),
});
export type AppAttemptStatsQuery = z.infer<typeof appAttemptStatsQuery>;

/**
 * The open-source Svix server's AttemptStatisticsResponse: the application's attempts by outcome
 * in each 5-minute bucket of the range, its ends rounded down to 5 minutes; null for a range that
 * has no whole bucket.
 */
export const AttemptStatisticsResponse = named(
  'AttemptStatisticsResponse',
  z.object({
    startDate: timestamp,
    endDate: timestamp,
    period: z.enum(['OneDay', 'FiveMinutes']),
    data: z.object({ successCount: z.array(z.number().int()).nullable(), failureCount: z.array(z.number().int()).nullable() }),
  }),
);
export type AttemptStatisticsResponse = z.output<typeof AttemptStatisticsResponse>;
