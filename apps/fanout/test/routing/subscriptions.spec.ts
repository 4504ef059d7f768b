import { type EndpointRoute, subscribes } from '../../src/routing/subscriptions.js';

const endpoint = (fields: Partial<EndpointRoute>): EndpointRoute => ({ id: 'e', applicationId: 'a', eventTypes: null, channels: null, passes: null, ordering: 'none', ...fields });

describe('subscribes', () => {
  it('routes every event to an endpoint that names no event types and no channels', () => {
    expect(subscribes(endpoint({}), { eventType: 'invoice.paid', channels: [], payload: {} })).toBe(true);
    expect(subscribes(endpoint({}), { eventType: 'invoice.paid', channels: ['eu'], payload: {} })).toBe(true);
  });

  it('routes only the event types an endpoint names', () => {
    const invoices = endpoint({ eventTypes: ['invoice.paid', 'invoice.failed'] });
    expect(subscribes(invoices, { eventType: 'invoice.failed', channels: [], payload: {} })).toBe(true);
    expect(subscribes(invoices, { eventType: 'user.created', channels: [], payload: {} })).toBe(false);
    expect(subscribes(endpoint({ eventTypes: [] }), { eventType: 'user.created', channels: [], payload: {} })).toBe(false);
  });

  it('routes to an endpoint with channels only the events sharing one of them', () => {
    const europe = endpoint({ channels: ['eu', 'uk'] });
    expect(subscribes(europe, { eventType: 'x', channels: ['us', 'uk'], payload: {} })).toBe(true);
    expect(subscribes(europe, { eventType: 'x', channels: ['us'], payload: {} })).toBe(false);
    expect(subscribes(europe, { eventType: 'x', channels: [], payload: {} })).toBe(false);
  });

  it('needs both the event type and a channel to match', () => {
    const both = endpoint({ eventTypes: ['invoice.paid'], channels: ['eu'] });
    expect(subscribes(both, { eventType: 'invoice.paid', channels: ['eu'], payload: {} })).toBe(true);
    expect(subscribes(both, { eventType: 'invoice.paid', channels: ['us'], payload: {} })).toBe(false);
    expect(subscribes(both, { eventType: 'user.created', channels: ['eu'], payload: {} })).toBe(false);
  });

  it('needs the payload to pass the filter as well, when the endpoint has one', () => {
    const large = endpoint({ eventTypes: ['invoice.paid'], passes: (payload) => (payload as { amount: number }).amount > 1000 });
    expect(subscribes(large, { eventType: 'invoice.paid', channels: [], payload: { amount: 1500 } })).toBe(true);
    expect(subscribes(large, { eventType: 'invoice.paid', channels: [], payload: { amount: 10 } })).toBe(false);
    expect(subscribes(large, { eventType: 'user.created', channels: [], payload: { amount: 1500 } })).toBe(false);
  });
});
