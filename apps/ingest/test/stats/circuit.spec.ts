import { circuitOpenAfter } from '../../src/stats/stats.service.js';

describe('circuitOpenAfter: the circuit breaker of delivery, read from the latest attempts', () => {
  const at = (seconds: number) => new Date(Date.UTC(2026, 11, 5, 8, 0, seconds));
  const failed = (seconds: number) => ({ succeeded: false, at: at(seconds) });
  const enabled = { disabled: false, updatedAt: at(0) };

  it('is open once the last `threshold` attempts all failed', () => {
    expect(circuitOpenAfter([failed(9), failed(8), failed(7)], 3, enabled)).toBe(true);
  });

  it('is closed with fewer failures than the threshold, or a success among them', () => {
    expect(circuitOpenAfter([failed(9), failed(8)], 3, enabled)).toBe(false);
    expect(circuitOpenAfter([failed(9), { succeeded: true, at: at(8) }, failed(7)], 3, enabled)).toBe(false);
    expect(circuitOpenAfter([], 3, enabled)).toBe(false);
  });

  it('is closed by a change of the endpoint after its last failure (enabled again, a new URL), and for a disabled endpoint', () => {
    const failures = [failed(9), failed(8), failed(7)];
    expect(circuitOpenAfter(failures, 3, { disabled: false, updatedAt: at(10) })).toBe(false);
    expect(circuitOpenAfter(failures, 3, { disabled: false, updatedAt: at(9) })).toBe(true);
    expect(circuitOpenAfter(failures, 3, { disabled: true, updatedAt: at(0) })).toBe(false);
  });
});
