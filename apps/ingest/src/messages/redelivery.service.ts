import { HOOKLINE_CONFIG, type HooklineConfig } from '@hookline/config';
import { type DeliveryTask, firstDeliveryTask, topicsFor } from '@hookline/contracts';
import { isSendable, type Message, type SendableMessage } from '@hookline/database';
import { KafkaProducer } from '@hookline/kafka';
import { Inject, Injectable } from '@nestjs/common';
import { MessagesRepository } from './messages.repository.js';

/**
 * Messages read, sent and let go at a time when many are sent again: their payloads are in memory
 * together, and each can take several MB of heap once parsed (256 KiB of small arrays).
 */
const REDELIVERY_CHUNK = 50;

/** A delivery to send again, by its message and endpoint. */
export interface DeliveryPair {
  messageId: string;
  endpointId: string;
}

/**
 * Sends messages to endpoints again on an operator's request (replay of dead letters, Svix's
 * resend and recover): each gets a fresh task, marked manual, with a full retry schedule.
 *
 * A message routed to a FIFO endpoint keeps its position (docs/adr/0012): its row is reopened
 * and parked before the task leaves, so the task is claimed like any other and the message goes
 * before every later message of its key still open; should the task be lost, whoever finds the
 * row at the head of its key sends it.
 */
@Injectable()
export class RedeliveryService {
  private readonly deliveriesTopic: string;

  constructor(
    @Inject(HOOKLINE_CONFIG) config: HooklineConfig,
    private readonly producer: KafkaProducer,
    private readonly messages: MessagesRepository,
  ) {
    this.deliveriesTopic = topicsFor(config.kafka.topicPrefix).deliveries;
  }

  /** Sends each pair again; one whose message was expunged cannot be (Svix) and is skipped. Answers how many were sent. */
  async redeliver(requested: Array<{ message: Message; endpointId: string }>, trigger: DeliveryTask['trigger'] = 'manual'): Promise<number> {
    const pairs = requested.filter((pair): pair is { message: SendableMessage; endpointId: string } => isSendable(pair.message));
    if (pairs.length === 0) return 0;
    return this.send(pairs, trigger, await this.messages.reopenOrdered(pairs.map(({ message, endpointId }) => ({ messageId: message.id, endpointId }))));
  }

  /**
   * Sends many deliveries again, their messages read REDELIVERY_CHUNK at a time. Every ordered one
   * is reopened first, so that a key's messages keep their order whichever chunk each is read in.
   */
  async redeliverMany(pairs: readonly DeliveryPair[], trigger: DeliveryTask['trigger'] = 'manual'): Promise<number> {
    if (pairs.length === 0) return 0;
    const orderingKeys = await this.messages.reopenOrdered(pairs);
    let sent = 0;
    for (let from = 0; from < pairs.length; from += REDELIVERY_CHUNK) {
      const chunk = pairs.slice(from, from + REDELIVERY_CHUNK);
      const messages = new Map((await this.messages.findByIds([...new Set(chunk.map((pair) => pair.messageId))])).map((message) => [message.id, message]));
      const sendable = chunk.flatMap(({ messageId, endpointId }) => {
        const message = messages.get(messageId);
        return message && isSendable(message) ? [{ message, endpointId }] : [];
      });
      if (sendable.length > 0) sent += await this.send(sendable, trigger, orderingKeys);
    }
    return sent;
  }

  private async send(pairs: Array<{ message: SendableMessage; endpointId: string }>, trigger: DeliveryTask['trigger'], orderingKeys: Map<string, string>): Promise<number> {
    await this.producer.send(
      this.deliveriesTopic,
      pairs.map(({ message, endpointId }) => ({
        key: endpointId,
        value: JSON.stringify(
          firstDeliveryTask(
            { messageId: message.id, applicationId: message.applicationId, eventType: message.eventType, eventId: message.eventId, payload: message.payload, acceptedAt: message.createdAt.toISOString() },
            endpointId,
            trigger,
            orderingKeys.get(`${message.id} ${endpointId}`),
          ),
        ),
      })),
    );
    await this.messages.markPending(pairs);
    return pairs.length;
  }
}
