import { RateLimiter } from '../../src/auth/rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst of twice the rate, then one request per 1/rate seconds, per key', () => {
    let now = 0;
    const limiter = new RateLimiter(5, undefined, () => now);
    for (let n = 0; n < 10; n++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(200);
    expect(limiter.take('b')).toBe(0);
    now += 199;
    expect(limiter.take('a')).toBeGreaterThan(0);
    now += 2;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(190);
    // A long pause refills to the burst, never beyond it.
    now += 60_000;
    for (let n = 0; n < 10; n++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });

  it('tells how long until a token is free without taking one', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 2, () => now);
    expect(limiter.wait('a')).toBe(0);
    expect(limiter.wait('a')).toBe(0);
    limiter.take('a');
    limiter.take('a');
    expect(limiter.wait('a')).toBe(1000);
    now += 500;
    expect(limiter.wait('a')).toBe(500);
  });

  it('never limits at a rate of 0', () => {
    const limiter = new RateLimiter(0, undefined, () => 0);
    for (let n = 0; n < 1_000; n++) expect(limiter.take('a')).toBe(0);
  });
});
