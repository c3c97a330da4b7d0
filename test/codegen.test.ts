import fs from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../codegen';

const root = path.join(__dirname, '..');

interface GeneratedFile {
  filename: string;
  content: string;
}

/** Every output in memory, nothing written. Outputs are generated in parallel and come back in any order: sorted. */
async function generateInMemory(): Promise<GeneratedFile[]> {
  const outputs: GeneratedFile[] = await generate({ ...config, cwd: root }, false);
  return outputs.sort((a, b) => a.filename.localeCompare(b.filename));
}

describe('the committed generated types', () => {
  it('are what codegen.ts generates from the committed schema and operations (run `npm run codegen` if not)', async () => {
    const outputs = await generateInMemory();
    const relative = (file: string) => path.relative(root, path.resolve(root, file));
    expect(outputs.map((output) => relative(output.filename)).sort()).toEqual(
      Object.keys(config.generates).sort(),
    );
    for (const output of outputs) {
      const file = path.resolve(root, output.filename);
      const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(missing)';
      expect(
        committed,
        `${relative(output.filename)} is out of date with the schema or the operations: run \`npm run codegen\` and commit the result`,
      ).toBe(output.content);
    }
  });

  it('are the same on every run (no timestamps or unordered output)', async () => {
    const first = await generateInMemory();
    const second = await generateInMemory();
    expect(second).toEqual(first);
    for (const output of first) expect(output.content).not.toMatch(/\b20\d\d-\d\d-\d\dT\d\d:\d\d/);
  });
});
