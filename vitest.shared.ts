import { configDefaults, defineConfig } from 'vitest/config';

// Tests of the tensorflow backend itself live in test/tensorflow/ and run in its pass of the suite
// (`pnpm test:tensorflow`, which sets TRL_TEST_BACKEND=node after building the binding).
const tensorflowPass = process.env.TRL_TEST_BACKEND === 'node';

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
    exclude: tensorflowPass ? configDefaults.exclude : [...configDefaults.exclude, 'test/tensorflow/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
  },
});
