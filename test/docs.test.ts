import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIGURATION_VARIABLES } from '../src/config';
import { ERROR_MESSAGES } from '../src/i18n/error-messages';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

/** The first-column names of the markdown table that follows a heading. */
function tableNames(heading: string): string[] {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start, `README has the heading ${heading}`).toBeGreaterThan(-1);
  const lines = readme.slice(start).split('\n').slice(2);
  const firstTable = lines.findIndex((line) => line.startsWith('|'));
  const table = lines.slice(firstTable);
  const end = table.findIndex((line) => !line.startsWith('|'));
  return table
    .slice(2, end === -1 ? undefined : end)
    .map((row) => /^\| `([A-Z_]+)`/.exec(row)?.[1])
    .filter((name): name is string => name !== undefined);
}

describe('README', () => {
  it('lists every error code the service answers with, and no other', () => {
    expect(tableNames('### Error codes').sort()).toEqual(Object.keys(ERROR_MESSAGES).sort());
  });

  it('documents every configuration variable the service reads', () => {
    const documented = new Set(tableNames('## Configuration'));
    for (const variable of CONFIGURATION_VARIABLES) expect(documented, variable).toContain(variable);
  });
});
