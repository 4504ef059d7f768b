import { uuidv7 } from '@hookline/database';
import { validate, version } from 'uuid';

describe('uuidv7', () => {
  it('makes valid, distinct version-7 ids that sort in the order they were made, across pool refills', () => {
    const ids = Array.from({ length: 5_000 }, () => uuidv7());

    expect(ids.filter((id) => !validate(id) || version(id) !== 7)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('starts with the current time in milliseconds', () => {
    const before = Date.now();
    const id = uuidv7();
    const millis = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);

    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(Date.now());
  });
});
