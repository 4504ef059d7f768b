import { asError, errorMessage } from '../src/errors.js';

describe('asError', () => {
  it('passes an Error through as it is, keeping its class and stack', () => {
    const thrown = new TypeError('bad');
    expect(asError(thrown)).toBe(thrown);
  });

  it('wraps anything else in an Error whose message is its text', () => {
    expect(asError('socket closed')).toEqual(new Error('socket closed'));
    expect(asError(42).message).toBe('42');
    expect(asError(undefined).message).toBe('undefined');
  });
});

describe('errorMessage', () => {
  it("is an Error's message, or the text of anything else", () => {
    expect(errorMessage(new RangeError('out of range'))).toBe('out of range');
    expect(errorMessage('timeout')).toBe('timeout');
    expect(errorMessage(null)).toBe('null');
  });
});
