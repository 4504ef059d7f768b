import type { EndpointFields } from '../api';

/** What the endpoint form holds, as typed. */
export interface EndpointFormValues {
  url: string;
  description: string;
  eventTypes: string[];
  channels: string;
  throttleRate: string;
}

/**
 * The form's values as the API's fields: no event type picked and no channel mean "all" (null),
 * channels are comma-separated, an empty rate limit is none. The API checks the rest (the URL's
 * shape, names) and its answer says what is wrong.
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
  return {
    fields: {
      url,
      description: values.description.trim(),
      eventTypes: values.eventTypes.length > 0 ? [...values.eventTypes].sort() : null,
      channels: channels.length > 0 ? [...new Set(channels)] : null,
      throttleRate: rate === '' ? null : Number(rate),
    },
  };
}
