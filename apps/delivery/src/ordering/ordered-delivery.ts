import { Coalescer } from '@hookline/batching';
import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { type DeliveryTask, firstDeliveryTask, type PlatformTopics } from '@hookline/contracts';
import { KafkaProducer, KeyedLimiter, PLATFORM_TOPICS } from '@hookline/kafka';
import { Inject, Injectable } from '@nestjs/common';
import type { Lease } from '../attempts/attempt-recorder.js';
import type { Promotion } from '../attempts/attempt.repository.js';
import type { FinalOutcome } from '../outcomes/outcome-reporter.js';
import { failureText } from '../retries/follow-up.js';
import { type Claim, type ClaimRequest, OrderingRepository } from './ordering.repository.js';

/**
 * A lease outlives its attempt's timeout by this much, for the time between the claim and the
 * request (a short rate-limit wait included) and for clocks: an attempt whose process died is
 * taken over only once its request can no longer be under way.
 */
const LEASE_MARGIN_MS = 5_000;

/**
 * What delivery does for FIFO endpoints beyond an ordinary attempt (docs/adr/0012): the tasks of
 * one ordering key take turns in this process, each is claimed in PostgreSQL before it is sent,
 * and parked heads are sent again. Claims made at once share a round trip.
 */
@Injectable()
export class OrderedDelivery {
  private readonly turns = new KeyedLimiter(1);
  // No linger: a key's next claim waits for its previous outcome, and the wait would add to each.
  private readonly claims = new Coalescer<ClaimRequest, Claim>((requests) => this.claimAll(requests), { maxBatchSize: 200, maxConcurrentBatches: 4 });
  private readonly leaseMs: number;

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    @Inject(PLATFORM_TOPICS) private readonly topics: PlatformTopics,
    @Inject(OrderingRepository) private readonly repository: Pick<OrderingRepository, 'claim' | 'release' | 'messages' | 'settled'>,
    @Inject(KafkaProducer) private readonly producer: Pick<KafkaProducer, 'send'>,
  ) {
    this.leaseMs = config.delivery.timeoutMs + LEASE_MARGIN_MS;
  }

  /**
   * Runs `work` once no other task of the same endpoint and key runs in this process: the next
   * task of a key is claimed only after the previous one's outcome is written, so it does not
   * park for nothing. (The lease, not this, is what holds across processes.)
   */
  inTurn<T>(task: DeliveryTask & { orderingKey: string }, work: () => Promise<T>): Promise<T> {
    return this.turns.run(`${task.endpointId}\u0000${task.orderingKey}`, work);
  }

  claim(task: DeliveryTask & { orderingKey: string }): Promise<Claim> {
    return this.claims.add({ messageId: task.messageId, endpointId: task.endpointId, orderingKey: task.orderingKey });
  }

  release(endpointId: string, lease: Lease): Promise<void> {
    return this.repository.release(endpointId, lease.orderingKey, lease.token);
  }

  /**
   * How the task's message ended, for a task claimed `done`: its outcome record may not have
   * left when the attempt was recorded (the process died, or Kafka refused it and the task came
   * back), and the outcomes topic promises one per task.
   */
  async settledOutcome(task: DeliveryTask): Promise<FinalOutcome | null> {
    const route = await this.repository.settled(task.messageId, task.endpointId);
    if (!route) return null;
    if (route.status === 'succeeded') return { outcome: 'delivered', attempts: route.attempts, statusCode: route.statusCode!, deliveredAt: route.answeredAt! };
    return { outcome: 'dead', attempts: route.attempts, lastError: route.answeredAt ? failureText(route) : 'dead-lettered without an attempt' };
  }

  /** Sends each promoted message again: a fresh task, claimed like any other, into its endpoint's partition. */
  async promote(promotions: readonly Promotion[]): Promise<void> {
    if (promotions.length === 0) return;
    const messages = new Map((await this.repository.messages([...new Set(promotions.map((promotion) => promotion.messageId))])).map((message) => [message.id, message]));
    const tasks = promotions.flatMap(({ endpointId, orderingKey, messageId }) => {
      const message = messages.get(messageId);
      if (!message) return [];
      const { id, applicationId, eventType, eventId, payload, createdAt } = message;
      return [{ key: endpointId, value: JSON.stringify(firstDeliveryTask({ messageId: id, applicationId, eventType, eventId, payload, acceptedAt: new Date(createdAt).toISOString() }, endpointId, 'scheduled', orderingKey)) }];
    });
    if (tasks.length > 0) await this.producer.send(this.topics.deliveries, tasks);
  }

  /** One claim per request, matched back by (message, endpoint); a pair asked twice gets its answers in turn. */
  private async claimAll(requests: readonly ClaimRequest[]): Promise<Claim[]> {
    const answers = new Map<string, Claim[]>();
    for (const claim of await this.repository.claim(requests, this.topics.events, this.leaseMs)) {
      const pair = `${claim.messageId} ${claim.endpointId}`;
      answers.set(pair, [...(answers.get(pair) ?? []), claim]);
    }
    return requests.map((request) => answers.get(`${request.messageId} ${request.endpointId}`)!.shift()!);
  }
}
