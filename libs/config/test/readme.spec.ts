import { environmentSchema } from '@hookline/config';
import { readFileSync } from 'node:fs';

// The README's configuration table is the operator's list of settings: it must name every
// variable the services read, and nothing they no longer read.

const README = new URL('../../../README.md', import.meta.url);

/** The variables in the first column of the table under "## Configuration". */
function documentedVariables(): string[] {
  const readme = readFileSync(README, 'utf8');
  const section = readme.slice(readme.indexOf('\n## Configuration\n'));
  const table = section.slice(0, section.indexOf('\n## ', 1));
  return [...table.matchAll(/^\| `([A-Z0-9_*]+)` \|/gm)].map((match) => match[1]!);
}

describe('the README configuration table', () => {
  it('documents every variable the config schema reads', () => {
    const documented = documentedVariables();
    expect(Object.keys(environmentSchema.shape).filter((name) => !documented.includes(name))).toEqual([]);
  });

  it('documents no variable the config schema does not read, besides the OpenTelemetry SDK ones', () => {
    const read = Object.keys(environmentSchema.shape);
    expect(documentedVariables().filter((name) => !read.includes(name) && name !== 'OTEL_*')).toEqual([]);
  });
});
