import { describe, expect, it } from 'vitest';
import { matchesSearch } from './search';

describe('matchesSearch', () => {
  it('finds every word in any field, ignoring case', () => {
    expect(matchesSearch('acme eu', ['ACME Europe', null, 'id-1'])).toBe(true);
    expect(matchesSearch('  ', ['anything'])).toBe(true);
    expect(matchesSearch('id-1', ['Name', 'uid', 'id-1'])).toBe(true);
  });

  it('misses when one word is nowhere', () => {
    expect(matchesSearch('acme us', ['ACME Europe', 'acme-eu'])).toBe(false);
  });
});
