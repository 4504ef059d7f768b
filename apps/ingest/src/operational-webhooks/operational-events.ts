import { type OperationalEvent, operationalWebhookBody } from '@hookline/contracts';
import { type Application, type Endpoint, OPERATIONAL_APPLICATION_ID } from '@hookline/database';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { ApplicationsService } from '../applications/applications.service.js';
import { MessageService } from '../messages/message.service.js';

/** An endpoint before and after a change through the API. */
type Change = { kind: 'created'; endpoint: Endpoint } | { kind: 'updated'; endpoint: Endpoint; wasDisabled: boolean } | { kind: 'deleted'; endpoint: Endpoint };

/**
 * Operational events become messages of the operational application, de-duplicated by the
 * event's id, which the pipeline delivers to the operational webhook endpoints subscribed to their
 * type, as `{ type, data }`, signed and retried like any webhook. Ingest stores the events of the
 * endpoint changes it makes; delivery's arrive on `<prefix>.operational` (OperationalTopicHandler).
 */
@Injectable()
export class OperationalEvents {
  constructor(
    private readonly messages: MessageService,
    private readonly applications: ApplicationsService,
  ) {}

  /**
   * Svix's endpoint.created, .updated and .deleted, and .enabled or .disabled (trigger `manual`) when
   * an update switched the endpoint on or off. Stored once the change is: durable whatever Kafka does.
   */
  async endpointChanged(application: Application, change: Change): Promise<void> {
    const { endpoint } = change;
    const data = {
      appId: application.id,
      ...(application.uid !== null && { appUid: application.uid }),
      endpointId: endpoint.id,
      ...(endpoint.uid !== null && { endpointUid: endpoint.uid }),
    };
    const events: OperationalEvent[] = [{ id: uuidv7(), type: `endpoint.${change.kind}`, data }];
    if (change.kind === 'updated' && change.wasDisabled !== endpoint.disabled) {
      events.push(endpoint.disabled ? { id: uuidv7(), type: 'endpoint.disabled', data: { ...data, trigger: 'manual' } } : { id: uuidv7(), type: 'endpoint.enabled', data });
    }
    for (const event of events) await this.messages.storePlatform(OPERATIONAL_APPLICATION_ID, this.asMessage(event));
  }

  /** An event delivery reported, with the application's uid, which delivery does not know, filled in. */
  async reported(event: OperationalEvent): Promise<void> {
    const application = await this.applications.find(event.data.appId);
    const completed = application?.uid && !event.data.appUid ? ({ ...event, data: { ...event.data, appUid: application.uid } } as OperationalEvent) : event;
    await this.messages.accept(OPERATIONAL_APPLICATION_ID, this.asMessage(completed));
  }

  private asMessage(event: OperationalEvent) {
    return { eventType: event.type, eventId: event.id, payload: operationalWebhookBody(event) };
  }
}
