import { describe, expect, it } from 'vitest';
import { successPercent } from './endpoints';

describe('successPercent', () => {
  it('rounds to whole percents', () => {
    expect(successPercent(2, 3)).toBe('67 %');
    expect(successPercent(1, 2)).toBe('50 %');
  });

  it('shows 100 % and 0 % only when exact', () => {
    expect(successPercent(999, 1_000)).toBe('99 %');
    expect(successPercent(1_000, 1_000)).toBe('100 %');
    expect(successPercent(1, 1_000)).toBe('1 %');
    expect(successPercent(0, 1_000)).toBe('0 %');
  });
});
