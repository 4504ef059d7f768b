import { describe, expect, it } from 'vitest';
import { filterText, parseEndpointForm } from './endpoint-fields';

const values = { url: 'https://example.com/hook', description: '', eventTypes: [], channels: '', throttleRate: '', ordering: 'none' as const };

describe('parseEndpointForm', () => {
  it('sends the payload filter as a JSON object, and none when the box is empty', () => {
    expect(parseEndpointForm({ ...values, filter: '{"amount": {"$gt": 1000}}' })).toMatchObject({ fields: { filter: { amount: { $gt: 1000 } } } });
    expect(parseEndpointForm({ ...values, filter: '  ' })).toMatchObject({ fields: { filter: null } });
  });

  it('says why a filter that is not a JSON object is refused, before asking the API', () => {
    expect(parseEndpointForm({ ...values, filter: '{"amount": ' })).toEqual({ problem: expect.stringMatching(/^The payload filter is not valid JSON: /) });
    expect(parseEndpointForm({ ...values, filter: '["amount"]' })).toEqual({ problem: 'The payload filter must be a JSON object ({ … }).' });
  });

  it('shows a stored filter indented, and none as an empty box', () => {
    expect(filterText({ region: { $in: ['eu'] } })).toBe('{\n  "region": {\n    "$in": [\n      "eu"\n    ]\n  }\n}');
    expect(filterText(null)).toBe('');
  });
});
