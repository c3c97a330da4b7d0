import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import { TEST_ACCESS_LOG_KEY } from './test/support/test-key.js';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 has no exports map: without this Vite hands our code the .mjs build while Apollo, shield and
    // type-graphql load the CommonJS one, and graphql-js rejects objects "from another module or realm".
    alias: { graphql: require.resolve('graphql/index.js') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test', ACCESS_LOG_KEY: TEST_ACCESS_LOG_KEY },
  },
});
