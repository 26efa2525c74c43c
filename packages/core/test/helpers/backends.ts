import { afterAll, beforeAll, describe } from 'vitest';
import { numericBackends, type TestBackend, testBackend } from '../../../test-kit/src/backend';
import { initBackend } from '../../src/engine/index';

export type { TestBackend };

/**
 * The backends every numerical test runs on: the pure-JS reference and the backend under test
 * (wasm unless `TRL_TEST_BACKEND` names another).
 */
export const BACKENDS: readonly TestBackend[] = numericBackends();

/** Makes `name` the active tfjs backend (cheap when it already is). */
export async function useBackend(name: TestBackend): Promise<void> {
  await initBackend(name);
}

/**
 * Runs `body` once per backend inside `describe('<title> [<backend>]')`, with the backend
 * selected in a `beforeAll`, so a numerical suite is checked on the reference and the backend under test.
 */
export function describeEachBackend(title: string, body: (backend: TestBackend) => void): void {
  for (const backend of BACKENDS) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(() => useBackend(backend));
      // Leave the backend under test behind so later suites in the same file start from a known state.
      afterAll(() => useBackend(testBackend()));
      body(backend);
    });
  }
}
