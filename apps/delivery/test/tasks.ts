import type { DeliveryTask } from '@hookline/contracts';

/** A delivery task of one message to one endpoint, its first attempt unless `fields` say otherwise. */
export const deliveryTaskOf = (fields: Partial<DeliveryTask> = {}): DeliveryTask => ({
  messageId: '00000000-0000-4000-8000-000000000001',
  applicationId: '00000000-0000-4000-8000-000000000002',
  endpointId: '00000000-0000-4000-8000-000000000003',
  eventType: 'invoice.paid',
  eventId: 'evt-1',
  payload: { invoice: 'in_1' },
  acceptedAt: '2026-03-01T11:59:59.000Z',
  attempt: 1,
  firstAttemptAt: null,
  trigger: 'scheduled',
  ...fields,
});
