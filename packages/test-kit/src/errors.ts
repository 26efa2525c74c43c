/**
 * What `run` throws or rejects with, for tests that inspect an error's class and `code`; its result
 * when it does not throw, which such a test's assertions then reject. Imports nothing from the
 * workspace, so `@trl/core`'s and `@trl/models`' tests can import it by path.
 */
export const thrown = (run: () => unknown): Promise<unknown> =>
  Promise.resolve()
    .then(run)
    .catch((error: unknown) => error);
