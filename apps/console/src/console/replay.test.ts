import { describe, expect, it } from 'vitest';
import { replaysOf } from './replay';

const letter = (msgId: string, endpointId: string) => ({ msgId, endpointId, eventType: 'order.paid', attempts: 3, deadAt: '2026-01-01T00:00:00Z' });

describe('replaysOf', () => {
  it('asks once per endpoint for exactly the messages picked there', () => {
    expect(replaysOf([letter('m1', 'e1'), letter('m2', 'e2'), letter('m3', 'e1')])).toEqual([
      { endpointId: 'e1', msgIds: ['m1', 'm3'] },
      { endpointId: 'e2', msgIds: ['m2'] },
    ]);
  });

  it('asks nothing for nothing picked', () => {
    expect(replaysOf([])).toEqual([]);
  });
});
