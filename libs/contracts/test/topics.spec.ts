import { delayLabel, retryTiers, TOPICS, topicCatalog, topicName, topicsFor } from '@hookline/contracts';

describe('topic names', () => {
  it('prefixes every topic', () => {
    expect(topicName('acme', 'ingestRejected')).toBe('acme.ingest.rejected');
  });

  it('resolves every platform topic of a prefix by key', () => {
    const topics = topicsFor('acme');
    expect(Object.keys(topics)).toEqual(Object.keys(TOPICS));
    expect(topics).toMatchObject({ deliveries: 'acme.deliveries', ingestRejected: 'acme.ingest.rejected', operational: 'acme.operational' });
  });

  it('labels delays with their largest exact unit', () => {
    expect([5_000, 300_000, 1_800_000, 7_200_000, 36_000_000, 90_000, 250].map(delayLabel)).toEqual([
      '5s', '5m', '30m', '2h', '10h', '90s', '250ms',
    ]);
  });

  it('makes one tier per distinct delay, shortest first', () => {
    const tiers = retryTiers('hookline', [300_000, 5_000, 36_000_000, 36_000_000]);
    expect(tiers).toEqual([
      { delayMs: 5_000, topic: 'hookline.retry.5s' },
      { delayMs: 300_000, topic: 'hookline.retry.5m' },
      { delayMs: 36_000_000, topic: 'hookline.retry.10h' },
    ]);
  });

  it('keeps tier messages longer than the dead-letter window', () => {
    const catalog = topicCatalog({ prefix: 'h', partitions: 3, retryScheduleMs: [1_000], deadLetterAfterMs: 30 * 86_400_000, outcomesRetentionMs: 86_400_000 });
    const tier = catalog.find((spec) => spec.name === 'h.retry.1s');
    expect(tier?.retentionMs).toBeGreaterThan(30 * 86_400_000);
    expect(catalog.map((spec) => spec.name)).toEqual([
      'h.ingest', 'h.ingest.rejected', 'h.events', 'h.deliveries', 'h.retry.1s', 'h.dead', 'h.operational', 'h.outcomes',
    ]);
    expect(catalog.find((spec) => spec.name === 'h.outcomes')?.retentionMs).toBe(86_400_000);
  });
});
