import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { delayLabel, type RetryTier, retryTiers } from '@hookline/contracts';
import { KafkaLifecycle } from '@hookline/kafka';
import { ROOT_LOGGER, type Logger } from '@hookline/logging';
import { Inject, Injectable } from '@nestjs/common';
import { ApplicationsService } from '../applications/applications.service.js';
import type { Principal } from '../auth/principal.js';
import { EndpointsRepository } from '../endpoints/endpoints.repository.js';
import { EndpointLookup } from '../endpoints/endpoint-lookup.js';
import { ValidationFailed } from '../http/errors.js';
import { type AppAttemptStatsQuery, type ApplicationStats, type AttemptStatisticsResponse, type EndpointStats, MAX_BUCKETS, MAX_OVERVIEW_RANGE_MS, MAX_STATS_RANGE_MS, type OverviewQuery, type StatsOverview, type StatsQuery } from './stats.schemas.js';
import { StatsRepository } from './stats.repository.js';

const FIVE_MINUTES = 300_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Stats from what the services already record: attempts by outcome from the attempts table,
 * deliveries waiting and dead from their status rows, and the tasks waiting in each retry tier
 * from Kafka (the end offsets past the retry group's committed offsets). No store of their own.
 */
@Injectable()
export class StatsService {
  private readonly tiers: RetryTier[];
  private readonly retryGroup: string;
  private readonly circuitThreshold: number;

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly applications: ApplicationsService,
    private readonly endpoints: EndpointLookup,
    private readonly endpointRows: EndpointsRepository,
    private readonly stats: StatsRepository,
    private readonly kafka: KafkaLifecycle,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.tiers = retryTiers(config.kafka.topicPrefix, config.retry.scheduleMs);
    this.retryGroup = `${config.kafka.topicPrefix}.retry`;
    this.circuitThreshold = config.delivery.circuitBreaker.threshold;
  }

  async endpoint(principal: Principal, appId: string, endpointId: string, query: StatsQuery): Promise<EndpointStats> {
    const endpoint = await this.endpoints.find(principal, appId, endpointId);
    // The last 28 days unless asked otherwise, as the open-source Svix server counts.
    const { since, until } = range(query, 28 * DAY, MAX_STATS_RANGE_MS);
    const [attempts, deliveries, latest] = await Promise.all([
      this.stats.endpointAttempts(endpoint, since, until),
      this.stats.deliveries([endpoint.id]),
      this.stats.latestOutcomes(endpoint.id, this.circuitThreshold),
    ]);
    const circuitOpen = circuitOpenAfter(latest, this.circuitThreshold, endpoint);
    return { success: attempts.success, pending: deliveries.get(endpoint.id)?.waiting ?? 0, sending: 0, fail: attempts.fail, canceled: 0, circuitOpen };
  }

  async application(principal: Principal, appId: string, query: StatsQuery): Promise<ApplicationStats> {
    const application = await this.applications.resolve(principal, appId);
    const { since, until } = range(query, 24 * HOUR, MAX_STATS_RANGE_MS);
    const endpointIds = await this.endpointRows.idsIn(application.id);
    const [attempts, deliveries] = await Promise.all([this.stats.applicationAttempts(application.id, since, until), this.stats.deliveries(endpointIds)]);
    // Every endpoint the application has now, and any deleted one whose attempts are in the range.
    const endpoints = [...new Set([...endpointIds, ...attempts.keys()])].map((endpointId) => ({
      endpointId,
      attempts: attempts.get(endpointId) ?? { success: 0, fail: 0 },
      deliveries: { pending: deliveries.get(endpointId)?.waiting ?? 0, dead: deliveries.get(endpointId)?.dead ?? 0 },
    }));
    const sum = (pick: (endpoint: (typeof endpoints)[number]) => number) => endpoints.reduce((total, endpoint) => total + pick(endpoint), 0);
    return {
      since: since.toISOString(),
      until: until.toISOString(),
      attempts: { success: sum((endpoint) => endpoint.attempts.success), fail: sum((endpoint) => endpoint.attempts.fail) },
      deliveries: { pending: sum((endpoint) => endpoint.deliveries.pending), dead: sum((endpoint) => endpoint.deliveries.dead) },
      endpoints,
    };
  }

  /** The open-source Svix server's `GET /stats/app/{app_id}/attempt`: 5-minute buckets over at most a day. */
  async applicationAttempts(principal: Principal, appId: string, query: AppAttemptStatsQuery): Promise<AttemptStatisticsResponse> {
    const application = await this.applications.resolve(principal, appId);
    if ((query.startDate === undefined) !== (query.endDate === undefined)) {
      throw new ValidationFailed([{ loc: ['query', query.startDate ? 'endDate' : 'startDate'], msg: 'startDate and endDate are given together', type: 'range_incomplete' }]);
    }
    const asked = range({ since: query.startDate, until: query.endDate }, 6 * HOUR, DAY, 'startDate');
    // A range that runs past now ends now; both ends are rounded down to a bucket.
    const now = Date.now();
    const ends = [asked.since.getTime(), asked.since.getTime() < now && now < asked.until.getTime() ? now : asked.until.getTime()];
    const [since, until] = ends.map((at) => new Date(at - (at % FIVE_MINUTES))) as [Date, Date];
    const buckets = await this.stats.attemptBuckets(since, until, FIVE_MINUTES, application.id);
    const counts = (pick: (bucket: (typeof buckets)[number]) => number) => (buckets.length === 0 ? null : buckets.map(pick));
    return {
      startDate: since.toISOString(),
      endDate: until.toISOString(),
      period: 'FiveMinutes',
      data: { successCount: counts((bucket) => bucket.delivered), failureCount: counts((bucket) => bucket.failed) },
    };
  }

  async overview(query: OverviewQuery): Promise<StatsOverview> {
    const bucketMs = query.bucket ?? 60_000;
    const { since, until } = range(query, 3 * HOUR, MAX_OVERVIEW_RANGE_MS);
    if ((until.getTime() - since.getTime()) / bucketMs > MAX_BUCKETS) {
      throw new ValidationFailed([{ loc: ['query', 'bucket'], msg: `at most ${MAX_BUCKETS} buckets in the range: a wider bucket or a shorter range`, type: 'too_many_buckets' }]);
    }
    const [buckets, deadLetters, waiting] = await Promise.all([this.stats.overview(since, until, bucketMs), this.stats.deadLetters(), this.tierDepths()]);
    const delivered = buckets.reduce((total, bucket) => total + bucket.delivered, 0);
    const attempts = delivered + buckets.reduce((total, bucket) => total + bucket.failed, 0);
    return {
      since: since.toISOString(),
      until: until.toISOString(),
      bucket: delayLabel(bucketMs),
      buckets: buckets.map((bucket) => ({ ...bucket, start: bucket.start.toISOString() })),
      successRate: attempts === 0 ? null : delivered / attempts,
      retryTiers: this.tiers.map((tier) => ({ tier: delayLabel(tier.delayMs), topic: tier.topic, waiting: waiting?.get(tier.topic) ?? (waiting ? 0 : null) })),
      deadLetters,
    };
  }

  /** The tasks waiting in each tier topic, or null when Kafka does not answer (the rest of the overview still does). */
  private async tierDepths(): Promise<Map<string, number> | null> {
    try {
      return await this.kafka.consumerLag(this.retryGroup, this.tiers.map((tier) => tier.topic));
    } catch (error) {
      this.logger.warn({ err: error }, 'retry tier depths unavailable');
      return null;
    }
  }
}

/** The query's range, ending now and `defaultMs` long unless it says otherwise, at most `maxMs` long (a 422 on its start, `field`). */
function range(query: { since?: Date; until?: Date }, defaultMs: number, maxMs: number, field = 'since'): { since: Date; until: Date } {
  const until = query.until ?? new Date();
  const since = query.since ?? new Date(until.getTime() - defaultMs);
  if (since >= until) throw new ValidationFailed([{ loc: ['query', field], msg: 'must be before the end of the range', type: 'range_order' }]);
  if (until.getTime() - since.getTime() > maxMs) {
    throw new ValidationFailed([{ loc: ['query', field], msg: `the range may span at most ${delayLabel(maxMs)}`, type: 'range_too_wide' }]);
  }
  return { since, until };
}

/**
 * Whether delivery's circuit breaker holds the endpoint's deliveries back, as its rule reads in the
 * attempts table: its last `threshold` attempts all failed, and it was not changed through the API
 * since the last of them (a change, such as enabling it again, closes the circuit). A disabled
 * endpoint receives nothing, so no circuit of its is open. Delivery keeps the breaker in memory:
 * after a restart of delivery the circuit is closed until the threshold is reached again.
 */
export function circuitOpenAfter(latest: ReadonlyArray<{ succeeded: boolean; at: Date }>, threshold: number, endpoint: { disabled: boolean; updatedAt: Date }): boolean {
  if (endpoint.disabled || latest.length < threshold || latest.some((attempt) => attempt.succeeded)) return false;
  return endpoint.updatedAt.getTime() <= latest[0]!.at.getTime();
}
