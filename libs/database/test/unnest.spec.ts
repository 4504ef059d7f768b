import { unnestParameters } from '@hookline/database';

describe('unnestParameters', () => {
  it('gives one array per field, in the order named, each in the order of the rows', () => {
    const rows = [
      { id: 'a', n: 1, at: null },
      { id: 'b', n: 2, at: new Date(0) },
    ];
    expect(unnestParameters(rows, ['n', 'id', 'at'])).toEqual([[1, 2], ['a', 'b'], [null, new Date(0)]]);
    expect(unnestParameters([], ['id'])).toEqual([[]]);
  });
});
