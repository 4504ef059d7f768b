import type { EndpointOrdering } from '@hookline/database';
import type { PayloadPredicate } from '@hookline/filters';

/** An endpoint as fanout reads it from the endpoints table. */
export interface EndpointRow {
  id: string;
  applicationId: string;
  /** Null: every event type. */
  eventTypes: string[] | null;
  /** Null: every event, with channels or without. */
  channels: string[] | null;
  /** The payload filter document (libs/filters); null for none. */
  filter: Record<string, unknown> | null;
  /** `fifo`: the route gets a position, and its task is claimed before it is sent (docs/adr/0012). */
  ordering: EndpointOrdering;
  /** When the endpoint was last changed: its filter is compiled once per value of this. */
  updatedAt: Date;
}

/** What fanout needs of an endpoint to route an event to it. */
export interface EndpointRoute extends Omit<EndpointRow, 'filter' | 'updatedAt'> {
  /** The compiled filter the payload must pass; null for none. */
  passes: PayloadPredicate | null;
}

/**
 * Whether the endpoint subscribes to the event: its event types include the event's (or it
 * names none), its channels meet the event's (or it names none), and the payload passes its
 * filter (or it has none).
 */
export function subscribes(endpoint: EndpointRoute, event: { eventType: string; channels: readonly string[]; payload: Record<string, unknown> }): boolean {
  if (endpoint.eventTypes !== null && !endpoint.eventTypes.includes(event.eventType)) return false;
  if (endpoint.channels !== null && !endpoint.channels.some((channel) => event.channels.includes(channel))) return false;
  return endpoint.passes === null || endpoint.passes(event.payload);
}
