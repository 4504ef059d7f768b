import { describe, expect, it } from 'vitest';
import { parsePayload, schemaExample } from './payload';

describe('parsePayload', () => {
  it('takes a JSON object', () => {
    expect(parsePayload('{"order": {"id": 1}}')).toEqual({ payload: { order: { id: 1 } } });
  });

  it('says why anything else is refused', () => {
    expect(parsePayload('{"order": ')).toEqual({ problem: expect.stringMatching(/^The payload is not valid JSON: /) });
    for (const text of ['[1]', '"text"', '42', 'null']) expect(parsePayload(text)).toEqual({ problem: 'The payload must be a JSON object ({ … }).' });
  });
});

describe('schemaExample', () => {
  it('takes the first example of the newest version that has any, as send-example does', () => {
    const schemas = {
      '2': { type: 'object', examples: [{ version: 2 }] },
      '10': { type: 'object', example: { version: 10 } },
      '11': { type: 'object' },
      '1': { examples: [{ version: 1 }] },
    };
    expect(schemaExample(schemas)).toEqual({ version: 10 });
    expect(schemaExample({ '1': { examples: [{ first: true }, { second: true }] } })).toEqual({ first: true });
  });

  it('has none without examples, or when the one send-example would pick is not an object', () => {
    expect(schemaExample(null)).toBeNull();
    expect(schemaExample({ '1': { type: 'object' }, '2': null })).toBeNull();
    // The API answers 422 for these: no older version or later example stands in.
    expect(schemaExample({ '2': { examples: ['not an object', { version: 2 }] }, '1': { example: { version: 1 } } })).toBeNull();
    expect(schemaExample({ '2': { examples: [] }, '1': { example: { version: 1 } } })).toBeNull();
  });
});
