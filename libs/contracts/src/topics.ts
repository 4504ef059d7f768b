/**
 * Every Kafka topic Hookline uses, relative to the configurable prefix (HOOKLINE_TOPIC_PREFIX).
 * The retry tiers are derived from the retry schedule: see retryTiers.
 */
export const TOPICS = {
  /** Raw events published by producers straight onto Kafka. */
  ingest: 'ingest',
  /** Ingest messages that failed validation, with the reason in a header. */
  ingestRejected: 'ingest.rejected',
  /** Accepted, persisted events, keyed by application id. */
  events: 'events',
  /** One delivery task per (event, endpoint), keyed by endpoint id. */
  deliveries: 'deliveries',
  /** Tasks whose retry window ran out, with their history. */
  dead: 'dead',
  /** Events about the platform itself that delivery reports (an endpoint disabled, a message failing), keyed by application id. */
  operational: 'operational',
  /** The final outcome of each message at each endpoint (delivered, dead, discarded), keyed by message id. */
  outcomes: 'outcomes',
} as const;

export type TopicKey = keyof typeof TOPICS;

export function topicName(prefix: string, topic: TopicKey): string {
  return `${prefix}.${TOPICS[topic]}`;
}

/** The full name of every platform topic under one prefix, by key (`topics.deliveries`). */
export type PlatformTopics = Readonly<Record<TopicKey, string>>;

/** Every platform topic name under `prefix`, resolved once; the retry tiers come from retryTiers. */
export function topicsFor(prefix: string): PlatformTopics {
  return Object.fromEntries(Object.keys(TOPICS).map((key) => [key, topicName(prefix, key as TopicKey)])) as Record<TopicKey, string>;
}

const UNITS: ReadonlyArray<[suffix: string, ms: number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** A delay as the shortest exact label (`5s`, `30m`, `10h`, `250ms`), used in tier topic names. */
export function delayLabel(delayMs: number): string {
  for (const [suffix, unit] of UNITS) {
    if (delayMs % unit === 0) return `${delayMs / unit}${suffix}`;
  }
  return `${Math.round(delayMs)}ms`;
}

export interface RetryTier {
  delayMs: number;
  topic: string;
}

/** One tier topic per distinct delay of the schedule, shortest first. */
export function retryTiers(prefix: string, scheduleMs: readonly number[]): RetryTier[] {
  return [...new Set(scheduleMs)]
    .sort((a, b) => a - b)
    .map((delayMs) => ({ delayMs, topic: `${prefix}.retry.${delayLabel(delayMs)}` }));
}

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Broker-side retention; -1 keeps messages forever. */
  retentionMs: number;
}

const DAY = 86_400_000;

/**
 * The topics the platform needs, with partition counts and retention. Tier topics keep messages
 * far longer than their delay, so a stopped retry service loses nothing; the dead-letter topic
 * keeps them long enough for an operator to act.
 */
export function topicCatalog(options: {
  prefix: string;
  partitions: number;
  retryScheduleMs: readonly number[];
  deadLetterAfterMs: number;
  /** HOOKLINE_OUTCOMES_RETENTION: how long producers may take to read their outcomes. */
  outcomesRetentionMs: number;
}): TopicSpec[] {
  const { prefix, partitions } = options;
  const standard = (topic: TopicKey, retentionMs: number): TopicSpec => ({
    name: topicName(prefix, topic),
    partitions,
    retentionMs,
  });
  return [
    standard('ingest', 7 * DAY),
    standard('ingestRejected', 14 * DAY),
    standard('events', 7 * DAY),
    standard('deliveries', 7 * DAY),
    ...retryTiers(prefix, options.retryScheduleMs).map((tier) => ({
      name: tier.topic,
      partitions,
      retentionMs: Math.max(7 * DAY, options.deadLetterAfterMs + 2 * DAY),
    })),
    standard('dead', 30 * DAY),
    standard('operational', 30 * DAY),
    standard('outcomes', options.outcomesRetentionMs),
  ];
}
