import { preparedStatement, preparedStatementName } from '../src/prepared-statements.js';

describe('preparedStatement', () => {
  it('names a declared text and nothing else', () => {
    const text = preparedStatement('hookline_unit_probe', 'SELECT $1::int');
    expect(preparedStatementName(text)).toBe('hookline_unit_probe');
    expect(preparedStatementName('SELECT $1::int AS other')).toBeUndefined();
  });

  it('refuses one name for two texts when declared, not at a query on a connection that ran the other', () => {
    preparedStatement('hookline_unit_twice', 'SELECT 1');
    expect(() => preparedStatement('hookline_unit_twice', 'SELECT 2')).toThrow('prepared statement "hookline_unit_twice" is declared twice with different texts');
  });
});
