import { Coalescer, STATEMENT_LINGER_MS } from '@hookline/batching';
import { type EventValue, firstDeliveryTask, type PlatformTopics } from '@hookline/contracts';
import { KafkaProducer, PLATFORM_TOPICS, REPEAT_HEADERS } from '@hookline/kafka';
import { type Logger, ROOT_LOGGER } from '@hookline/logging';
import { Inject, Injectable } from '@nestjs/common';
import { FilterCache } from './filter-cache.js';
import { type PendingRoute, RouteRepository } from './route.repository.js';
import { type EndpointRoute, subscribes } from './subscriptions.js';

/**
 * Turns each accepted event into one delivery task per endpoint subscribed to it (subscriptions.ts).
 * Each pair gets a pending status row first, so a redelivered event changes nothing.
 *
 * The events being handled at once share their queries: one lookup of their applications'
 * endpoints and one insert of their status rows per batch, matched in memory.
 */
@Injectable()
export class FanoutService {
  private readonly routes = new Coalescer<string, EndpointRoute[]>((applicationIds) => this.routesOf(applicationIds), { maxBatchSize: 500, maxConcurrentBatches: 2, lingerMs: STATEMENT_LINGER_MS });
  private readonly pending = new Coalescer<PendingRoute[]>((batches) => this.repository.insertPending(batches.flat()), { maxBatchSize: 500, maxConcurrentBatches: 2, lingerMs: STATEMENT_LINGER_MS });
  private readonly filters: FilterCache;

  constructor(
    @Inject(PLATFORM_TOPICS) private readonly topics: PlatformTopics,
    @Inject(RouteRepository) private readonly repository: Pick<RouteRepository, 'routableEndpoints' | 'insertPending'>,
    @Inject(KafkaProducer) private readonly producer: Pick<KafkaProducer, 'send'>,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.filters = new FilterCache(logger);
  }

  /**
   * Routes the event; `position` is where it is on the events topic, the order of a FIFO endpoint's
   * messages. The tasks of an event that may repeat one routed before (`repeat`) say so too.
   */
  async route(event: EventValue, position: { partition: number; offset: string }, repeat = false): Promise<void> {
    const endpoints = (await this.routes.add(event.applicationId)).filter((endpoint) => subscribes(endpoint, event));
    if (endpoints.length === 0) return;

    const orderingKey = event.orderingKey ?? '';
    const fifo = (endpoint: EndpointRoute) => endpoint.ordering === 'fifo';
    await this.pending.add(
      endpoints.map((endpoint) => ({
        messageId: event.messageId,
        endpointId: endpoint.id,
        applicationId: event.applicationId,
        orderingKey: fifo(endpoint) ? orderingKey : null,
        orderPartition: fifo(endpoint) ? position.partition : null,
        orderOffset: fifo(endpoint) ? position.offset : null,
      })),
    );
    await this.producer.send(
      this.topics.deliveries,
      endpoints.map((endpoint) => ({
        key: endpoint.id,
        value: JSON.stringify(firstDeliveryTask({ ...event, acceptedAt: event.createdAt }, endpoint.id, 'scheduled', fifo(endpoint) ? orderingKey : undefined)),
        ...(repeat && { headers: REPEAT_HEADERS }),
      })),
    );
  }

  private async routesOf(applicationIds: readonly string[]): Promise<EndpointRoute[][]> {
    const rows = await this.repository.routableEndpoints([...new Set(applicationIds)]);
    const byApplication = new Map<string, EndpointRoute[]>();
    for (const { filter, updatedAt, ...row } of rows) {
      const route = { ...row, passes: this.filters.passesOf({ id: row.id, filter, updatedAt }) };
      const routes = byApplication.get(row.applicationId);
      if (routes) routes.push(route);
      else byApplication.set(row.applicationId, [route]);
    }
    return applicationIds.map((id) => byApplication.get(id) ?? []);
  }
}
