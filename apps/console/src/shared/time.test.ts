import { describe, expect, it } from 'vitest';
import { formatUtc, isoToLocalInput, localInputToIso } from './time';

describe('times', () => {
  it('formats an instant in UTC whatever its offset', () => {
    expect(formatUtc('2026-03-01T23:05:09.5+02:00')).toBe('2026-03-01 21:05:09.500 UTC');
    expect(formatUtc('not a time')).toBe('not a time');
  });

  it('reads a datetime-local value in the viewer zone and writes it back', () => {
    // The test runs in a fixed zone (vitest.config.ts): 14:30 in Asia/Kolkata (+05:30) is 09:00 UTC.
    expect(localInputToIso('2026-03-01T14:30')).toBe('2026-03-01T09:00:00.000Z');
    expect(localInputToIso('2026-03-01T14:30:15')).toBe('2026-03-01T09:00:15.000Z');
    expect(isoToLocalInput('2026-03-01T09:00:15.000Z')).toBe('2026-03-01T14:30:15');
  });

  it('refuses what is not a datetime-local value', () => {
    for (const value of ['', '2026-03-01', 'yesterday', '2026-13-45T99:99']) expect([value, localInputToIso(value)]).toEqual([value, undefined]);
  });
});
