import { type DeliveryTask, FAILING_AT_ATTEMPT, type OperationalEvent, type PlatformTopics } from '@hookline/contracts';
import { isOperationalApplication } from '@hookline/database';
import { KafkaProducer, PLATFORM_TOPICS } from '@hookline/kafka';
import { Inject, Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';

/** Namespace of the ids of delivery's operational events: the same fact, reported twice, gets the same id. */
const FACTS = 'a4c1f0de-5b1e-4c57-9d8e-0f6c1e2d3b4a';

/** An attempt as Svix's operational events describe it (MessageAttemptFailedData). */
export interface ReportedAttempt {
  id: string;
  statusCode: number | null;
  at: Date;
}

/** An endpoint delivery disabled on its own: failing for too long, or a 410 Gone. */
export interface DisabledEndpoint {
  id: string;
  applicationId: string;
  uid: string | null;
  failingSince: Date | null;
  /** What disabled it, unique to this occurrence: the failing period's start, or the attempt answered 410. */
  occurrence: string;
}

/**
 * Reports what delivery decided to `<prefix>.operational`, in Svix's operational webhook shapes:
 * an endpoint it disabled, a delivery failing (its 4th attempt failed), recovered (a later attempt
 * of the same task succeeded) or exhausted (dead-lettered). Ingest turns each record into an
 * operational webhook. Nothing is reported about the operational application's own deliveries.
 * Each send resolves once Kafka has the record, before the caller's offset is committed; an event
 * reported twice (a redelivered task) keeps its id, which ingest de-duplicates on.
 */
@Injectable()
export class OperationalReporter {
  constructor(
    @Inject(PLATFORM_TOPICS) private readonly topics: PlatformTopics,
    @Inject(KafkaProducer) private readonly producer: Pick<KafkaProducer, 'send'>,
  ) {}

  async endpointsDisabled(endpoints: readonly DisabledEndpoint[]): Promise<void> {
    await this.send(
      endpoints.map((endpoint) => ({
        id: uuidv5(`endpoint.disabled/${endpoint.id}/${endpoint.occurrence}`, FACTS),
        type: 'endpoint.disabled',
        data: {
          appId: endpoint.applicationId,
          endpointId: endpoint.id,
          ...(endpoint.uid !== null && { endpointUid: endpoint.uid }),
          ...(endpoint.failingSince !== null && { failSince: endpoint.failingSince.toISOString() }),
          trigger: 'automatic',
        },
      })),
    );
  }

  /** After an attempt of the task was recorded; `dead` when it was the last one. */
  async attempted(task: DeliveryTask, attempt: ReportedAttempt, ok: boolean, dead: boolean): Promise<void> {
    const types = ok
      ? task.attempt > FAILING_AT_ATTEMPT ? (['message.attempt.recovered'] as const) : []
      : [...(task.attempt === FAILING_AT_ATTEMPT ? (['message.attempt.failing'] as const) : []), ...(dead ? (['message.attempt.exhausted'] as const) : [])];
    await this.send(types.map((type) => this.attemptEvent(type, task, attempt)));
  }

  /** A task dead-lettered without an attempt (postponed past its window), reported with the last attempt it made, if any. */
  async exhausted(task: DeliveryTask, lastAttempt: ReportedAttempt | null): Promise<void> {
    if (lastAttempt) await this.send([this.attemptEvent('message.attempt.exhausted', task, lastAttempt)]);
  }

  private attemptEvent(type: 'message.attempt.failing' | 'message.attempt.recovered' | 'message.attempt.exhausted', task: DeliveryTask, attempt: ReportedAttempt): OperationalEvent {
    // A task attempted again after a crash carries the same first-attempt time and number; the
    // first attempt of a task has no first-attempt time yet, so its own id stands in.
    const occurrence = `${task.firstAttemptAt ?? attempt.id}/${task.attempt}`;
    return {
      id: uuidv5(`${type}/${task.messageId}/${task.endpointId}/${occurrence}`, FACTS),
      type,
      data: {
        appId: task.applicationId,
        endpointId: task.endpointId,
        msgId: task.messageId,
        ...(task.eventId !== null && { msgEventId: task.eventId }),
        lastAttempt: { id: attempt.id, responseStatusCode: attempt.statusCode ?? 0, timestamp: attempt.at.toISOString() },
      },
    };
  }

  private async send(events: OperationalEvent[]): Promise<void> {
    const reported = events.filter((event) => !isOperationalApplication(event.data.appId));
    if (reported.length === 0) return;
    await this.producer.send(
      this.topics.operational,
      reported.map((event) => ({ key: event.data.appId, value: JSON.stringify(event) })),
    );
  }
}
