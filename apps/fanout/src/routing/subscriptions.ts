/** What fanout needs of an endpoint to route an event to it. */
export interface EndpointRoute {
  id: string;
  applicationId: string;
  /** Null: every event type. */
  eventTypes: string[] | null;
  /** Null: every event, with channels or without. */
  channels: string[] | null;
}

/**
 * Whether the endpoint subscribes to the event: its event types include the event's (or it
 * names none), and its channels meet the event's (or it names none).
 */
export function subscribes(endpoint: EndpointRoute, event: { eventType: string; channels: readonly string[] }): boolean {
  if (endpoint.eventTypes !== null && !endpoint.eventTypes.includes(event.eventType)) return false;
  if (endpoint.channels !== null && !endpoint.channels.some((channel) => event.channels.includes(channel))) return false;
  return true;
}
