import { describe, expect, it } from 'vitest';
import { parseEndpointForm } from './endpoint-fields';

const values = { url: ' https://example.com/hook ', description: ' Orders ', eventTypes: [] as string[], channels: '', throttleRate: '' };

describe('parseEndpointForm', () => {
  it('maps empty choices to "all" and trims', () => {
    expect(parseEndpointForm(values)).toEqual({
      fields: { url: 'https://example.com/hook', description: 'Orders', eventTypes: null, channels: null, throttleRate: null },
    });
  });

  it('reads picked types, comma-separated channels and a rate limit', () => {
    const parsed = parseEndpointForm({ ...values, eventTypes: ['order.paid', 'order.created'], channels: 'eu, us,,eu', throttleRate: '25' });
    expect(parsed).toEqual({
      fields: { url: 'https://example.com/hook', description: 'Orders', eventTypes: ['order.created', 'order.paid'], channels: ['eu', 'us'], throttleRate: 25 },
    });
  });

  it('says what is wrong', () => {
    expect(parseEndpointForm({ ...values, url: '  ' })).toEqual({ problem: 'Enter the endpoint URL.' });
    for (const rate of ['0', '-1', '2.5', 'fast']) expect(parseEndpointForm({ ...values, throttleRate: rate })).toHaveProperty('problem');
  });
});
