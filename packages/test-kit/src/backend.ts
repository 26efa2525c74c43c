/**
 * Which tfjs backend the suite runs on: `TRL_TEST_BACKEND` (`wasm` by default; `node` after
 * `tooling/tfjs-node/setup.mjs`, `node-gpu`, `cpu`). Tests that are about the backend-agnostic
 * behaviour call `initBackend(testBackend())`; tests of one backend's own machinery (wasm threads,
 * the wasm heap kernels, `@trl/native`) name it. It imports nothing from the workspace, so
 * `@trl/core`'s and `@trl/models`' tests can import it by path.
 */
export type TestBackend = 'wasm' | 'node' | 'node-gpu' | 'cpu';

const TEST_BACKENDS: readonly TestBackend[] = ['wasm', 'node', 'node-gpu', 'cpu'];

/** The backend under test (see the module comment). */
export function testBackend(): TestBackend {
  const value = process.env.TRL_TEST_BACKEND;
  if (value === undefined || value === '') return 'wasm';
  if ((TEST_BACKENDS as readonly string[]).includes(value)) return value as TestBackend;
  throw new Error(
    `TRL_TEST_BACKEND=${value} is not a backend the suite runs on; use one of ${TEST_BACKENDS.join(', ')}`,
  );
}

/**
 * The backends a numerical test compares: the pure-JS reference `cpu` and the backend under test
 * (just `cpu` when that is the one under test).
 */
export function numericBackends(): TestBackend[] {
  const underTest = testBackend();
  return underTest === 'cpu' ? ['cpu'] : ['cpu', underTest];
}
