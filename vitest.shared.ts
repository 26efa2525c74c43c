import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings for every workspace package. The `@trl/source` condition makes
 * `import '@trl/core'` resolve to the sibling package's TypeScript sources, so tests and
 * typechecks never need a prior build.
 */
export default defineConfig({
  resolve: { conditions: ['@trl/source'] },
  ssr: { resolve: { conditions: ['@trl/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
  },
});
