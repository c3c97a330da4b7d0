// Runs the layer rules in .dependency-cruiser.cjs over src (`npm run lint:layers`, part of `npm test`).
// dependency-cruiser's command line refuses Node 20, which this project supports; its API runs there, so call it.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { cruise } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const require = createRequire(import.meta.url);
const config = require(resolve('.dependency-cruiser.cjs'));
const result = await cruise(
  ['src'],
  { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true, outputType: 'err' },
  undefined,
  { tsConfig: extractTSConfig(config.options.tsConfig.fileName) },
);
process.stdout.write(result.output);
process.exitCode = result.exitCode === 0 ? 0 : 1;
