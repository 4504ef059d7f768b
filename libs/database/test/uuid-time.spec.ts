import { idBounds, uuidFloor } from '@hookline/database';
import { v7 as uuidv7 } from 'uuid';

describe('uuidFloor', () => {
  it('is the smallest UUIDv7 of its millisecond: below every id made at it, above every id made before', () => {
    const at = Date.UTC(2026, 11, 4, 18, 30, 0, 123);
    expect(uuidFloor(new Date(at))).toBe(`${at.toString(16).padStart(12, '0').replace(/^(.{8})(.{4})$/, '$1-$2')}-0000-0000-000000000000`);
    for (let n = 0; n < 100; n++) {
      expect(uuidv7({ msecs: at }) >= uuidFloor(new Date(at))).toBe(true);
      expect(uuidv7({ msecs: at - 1 }) < uuidFloor(new Date(at))).toBe(true);
    }
    expect(uuidFloor(new Date(0))).toBe('00000000-0000-0000-0000-000000000000');
  });
});

describe('idBounds', () => {
  it('answers the lowest and highest id as PostgreSQL orders UUIDs', () => {
    expect(idBounds(['0190A000-0000-7000-8000-000000000002', '0190a000-0000-7000-8000-000000000001', '0190a000-0000-7000-8000-00000000000f'])).toEqual([
      '0190a000-0000-7000-8000-000000000001',
      '0190a000-0000-7000-8000-00000000000f',
    ]);
  });
});
