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
  it("takes the newest version's first object example", () => {
    const schemas = {
      '2': { type: 'object', examples: ['not an object', { version: 2 }] },
      '10': { type: 'object', example: { version: 10 } },
      '1': { examples: [{ version: 1 }] },
    };
    expect(schemaExample(schemas)).toEqual({ version: 10 });
  });

  it('has none without an object example', () => {
    expect(schemaExample(null)).toBeNull();
    expect(schemaExample({ '1': { type: 'object' }, '2': null })).toBeNull();
  });
});
