import { customHeaderProblem, HEADER_PATTERNS, MAX_HEADER_VALUE_LENGTH } from '@hookline/egress';

describe('customHeaderProblem', () => {
  it('accepts token names with visible ASCII values', () => {
    for (const [name, value] of [
      ['X-Api-Key', 'abc123'],
      ['authorization', 'Bearer a.b.c'],
      ['X-Empty', ''],
      ['X-Inner-Space', 'a b\tc'],
      ["x!#$%&'*+.^_`|~-1", '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'],
    ]) {
      expect(customHeaderProblem(name!, value!)).toBeNull();
    }
  });

  it('refuses framing, connection and proxy headers in any case', () => {
    for (const name of ['Transfer-Encoding', 'content-length', 'CONNECTION', 'Upgrade', 'Expect', 'Host', 'Keep-Alive', 'TE', 'Trailer', 'Proxy-Authorization', 'proxy-connection']) {
      expect(customHeaderProblem(name, 'x')).toMatch(/set by the HTTP client or the connection/);
    }
  });

  it('refuses names that are not tokens and values with CR, LF, other controls, non-ASCII or whitespace at an end', () => {
    for (const name of ['X Space', 'X:Colon', 'X-Caf\u00e9', '', 'X\r\nY']) expect(customHeaderProblem(name, 'x')).toMatch(/token/);
    for (const value of ['a\r\nX-Injected: 1', 'a\nb', 'a\rb', 'a\u0000b', 'a\u007fb', 'caf\u00e9', '\u2028', ' leading', 'trailing\t']) {
      expect(customHeaderProblem('X-Test', value)).toMatch(/visible ASCII/);
    }
  });

  it('takes values up to MAX_HEADER_VALUE_LENGTH characters, a bound the document\'s pattern states too', () => {
    const longest = 'a'.repeat(MAX_HEADER_VALUE_LENGTH);
    expect(customHeaderProblem('X-Long', longest)).toBeNull();
    expect(customHeaderProblem('X-Long', `${longest}a`)).toMatch(/visible ASCII/);
    const documented = new RegExp(HEADER_PATTERNS.value);
    expect(documented.test(longest)).toBe(true);
    expect(documented.test(`${longest}a`)).toBe(false);
    expect(documented.test('a\r\nb')).toBe(false);
  });
});
