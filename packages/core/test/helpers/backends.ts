import { afterAll, beforeAll, describe } from 'vitest';
import { initBackend } from '../../src/engine/index';

/** The backends every numerical test runs on: the pure-JS reference and the fast wasm path. */
export const BACKENDS = ['cpu', 'wasm'] as const;

/** One of {@link BACKENDS}. */
export type TestBackend = (typeof BACKENDS)[number];

/** Makes `name` the active tfjs backend (cheap when it already is). */
export async function useBackend(name: TestBackend): Promise<void> {
  await initBackend(name);
}

/**
 * Runs `body` once per backend inside `describe('<title> [<backend>]')`, with the backend
 * selected in a `beforeAll`, so a numerical suite is checked on both cpu and wasm.
 */
export function describeEachBackend(title: string, body: (backend: TestBackend) => void): void {
  for (const backend of BACKENDS) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(() => useBackend(backend));
      // Leave the wasm default behind so later suites in the same file start from a known state.
      afterAll(() => useBackend('wasm'));
      body(backend);
    });
  }
}
