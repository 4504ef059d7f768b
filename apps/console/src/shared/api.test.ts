import { describe, expect, it } from 'vitest';
import { failureOf, queryString } from './api';

describe('failureOf', () => {
  it('names every field of a 422 as the API does', () => {
    const failure = failureOf(422, {
      detail: [
        { loc: ['body', 'url'], msg: 'at most 2048 characters', type: 'too_big' },
        { loc: ['body', 'eventTypes', 0], msg: 'Invalid string', type: 'invalid_format' },
      ],
    });
    expect(failure.message).toBe('body.url: at most 2048 characters; body.eventTypes.0: Invalid string');
    expect(failure.status).toBe(422);
    expect(failure.problems).toHaveLength(2);
  });

  it("keeps Svix's code and detail", () => {
    const failure = failureOf(404, { code: 'not_found', detail: 'application not found' });
    expect([failure.message, failure.code, failure.status]).toEqual(['application not found', 'not_found', 404]);
  });

  it('says the status and the start of any other answer', () => {
    expect(failureOf(502, '<html>Bad gateway</html>').message).toBe('HTTP 502: <html>Bad gateway</html>');
    expect(failureOf(500, null).message).toBe('HTTP 500');
    expect(failureOf(500, { detail: 42 }).message).toBe('HTTP 500');
  });
});

describe('queryString', () => {
  it('leaves out what is not set and encodes the rest', () => {
    expect(queryString({ limit: 50, iterator: undefined, channel: '', event_types: 'a b&c' })).toBe('?limit=50&event_types=a+b%26c');
    expect(queryString({ iterator: undefined })).toBe('');
  });
});
