import type { EndpointFields } from '../api';
import { parsePayload } from '../payload';

/** What the endpoint form holds, as typed. */
export interface EndpointFormValues {
  url: string;
  description: string;
  eventTypes: string[];
  channels: string;
  throttleRate: string;
  /** The payload filter as JSON text; empty for none. */
  filter: string;
  ordering: 'none' | 'fifo';
}

/**
 * The form's values as the API's fields: no event type picked and no channel mean "all" (null),
 * channels are comma-separated, an empty rate limit or filter is none, and the filter must be a
 * JSON object. The API checks the rest (the URL's shape, names, the filter's operators) and its
 * answer says what is wrong.
 */
export function parseEndpointForm(values: EndpointFormValues): { fields: EndpointFields } | { problem: string } {
  const url = values.url.trim();
  if (url === '') return { problem: 'Enter the endpoint URL.' };
  const channels = values.channels
    .split(',')
    .map((channel) => channel.trim())
    .filter((channel) => channel !== '');
  const rate = values.throttleRate.trim();
  if (rate !== '' && !/^[1-9]\d*$/.test(rate)) return { problem: 'The rate limit is a whole number of deliveries per second, at least 1 (or empty for none).' };
  const filter = values.filter.trim() === '' ? { payload: null } : parsePayload(values.filter, 'The payload filter');
  if ('problem' in filter) return filter;
  return {
    fields: {
      url,
      description: values.description.trim(),
      eventTypes: values.eventTypes.length > 0 ? [...values.eventTypes].sort() : null,
      channels: channels.length > 0 ? [...new Set(channels)] : null,
      throttleRate: rate === '' ? null : Number(rate),
      filter: filter.payload,
      ordering: values.ordering,
    },
  };
}

/** A stored filter as the form shows it: indented JSON, empty for none. */
export const filterText = (filter: Record<string, unknown> | null | undefined): string => (filter ? JSON.stringify(filter, null, 2) : '');
