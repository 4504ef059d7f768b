import type { Logger } from '@hookline/logging';
import { FilterCache } from '../../src/routing/filter-cache.js';

/** A logger that keeps the messages of its warnings, the one thing the cache logs. */
function warningsLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { logger: { warn: (_fields: unknown, message: string) => warnings.push(message) } as unknown as Logger, warnings };
}

describe('FilterCache', () => {
  const endpoint = (filter: Record<string, unknown> | null, updatedAt = new Date(0)) => ({ id: 'e1', filter, updatedAt });

  it('compiles a filter once per endpoint version, never per event', () => {
    const cache = new FilterCache(warningsLogger().logger);
    const first = cache.passesOf(endpoint({ amount: { $gt: 1000 } }));
    // The same version again (another event for the same endpoint) gets the very same predicate.
    expect(cache.passesOf(endpoint({ amount: { $gt: 1000 } }))).toBe(first);
    expect(first!({ amount: 1500 })).toBe(true);

    // A new updated_at is a new version: compiled again, and the new filter applies.
    const changed = cache.passesOf(endpoint({ amount: { $lt: 100 } }, new Date(1)));
    expect(changed).not.toBe(first);
    expect(changed!({ amount: 1500 })).toBe(false);
    expect(cache.passesOf(endpoint({ amount: { $lt: 100 } }, new Date(1)))).toBe(changed);
  });

  it('has no predicate for an endpoint without a filter', () => {
    expect(new FilterCache(warningsLogger().logger).passesOf(endpoint(null))).toBeNull();
  });

  it('lets nothing through a stored filter that does not compile, and warns once per version', () => {
    const { logger, warnings } = warningsLogger();
    const cache = new FilterCache(logger);
    const passes = cache.passesOf(endpoint({ amount: { $bogus: 1 } }));
    cache.passesOf(endpoint({ amount: { $bogus: 1 } }));
    expect(passes!({ amount: 1 })).toBe(false);
    expect(warnings).toEqual(['stored filter does not compile; the endpoint receives nothing until it is fixed']);
    cache.passesOf(endpoint({ amount: { $bogus: 2 } }, new Date(1)));
    expect(warnings).toHaveLength(2);
  });
});
