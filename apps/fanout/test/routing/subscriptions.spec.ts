import { type EndpointRoute, subscribes } from '../../src/routing/subscriptions.js';

const endpoint = (fields: Partial<EndpointRoute>): EndpointRoute => ({ id: 'e', applicationId: 'a', eventTypes: null, channels: null, ...fields });

describe('subscribes', () => {
  it('routes every event to an endpoint that names no event types and no channels', () => {
    expect(subscribes(endpoint({}), { eventType: 'invoice.paid', channels: [] })).toBe(true);
    expect(subscribes(endpoint({}), { eventType: 'invoice.paid', channels: ['eu'] })).toBe(true);
  });

  it('routes only the event types an endpoint names', () => {
    const invoices = endpoint({ eventTypes: ['invoice.paid', 'invoice.failed'] });
    expect(subscribes(invoices, { eventType: 'invoice.failed', channels: [] })).toBe(true);
    expect(subscribes(invoices, { eventType: 'user.created', channels: [] })).toBe(false);
    expect(subscribes(endpoint({ eventTypes: [] }), { eventType: 'user.created', channels: [] })).toBe(false);
  });

  it('routes to an endpoint with channels only the events sharing one of them', () => {
    const europe = endpoint({ channels: ['eu', 'uk'] });
    expect(subscribes(europe, { eventType: 'x', channels: ['us', 'uk'] })).toBe(true);
    expect(subscribes(europe, { eventType: 'x', channels: ['us'] })).toBe(false);
    expect(subscribes(europe, { eventType: 'x', channels: [] })).toBe(false);
  });

  it('needs both the event type and a channel to match', () => {
    const both = endpoint({ eventTypes: ['invoice.paid'], channels: ['eu'] });
    expect(subscribes(both, { eventType: 'invoice.paid', channels: ['eu'] })).toBe(true);
    expect(subscribes(both, { eventType: 'invoice.paid', channels: ['us'] })).toBe(false);
    expect(subscribes(both, { eventType: 'user.created', channels: ['eu'] })).toBe(false);
  });
});
