/** The process events emscripten's Node glue takes over when a wasm module starts. */
const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Runs `start` and then removes the `uncaughtException`/`unhandledRejection` listeners it added.
 * tfjs-backend-wasm's emscripten glue installs listeners that rethrow, so after the backend loads
 * any uncaught error, even the application's own, exits with code 7 and prints the minified
 * glue's source line first. Without them Node reports errors as usual (exit code 1, the stack).
 * A no-op outside Node.
 */
export async function withoutNewProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const node: NodeJS.EventEmitter | undefined =
    typeof process === 'object' && typeof process.listeners === 'function' ? process : undefined;
  const before = node ? EVENTS.map((event) => new Set(node.listeners(event))) : [];
  try {
    return await start();
  } finally {
    EVENTS.forEach((event, index) => {
      for (const listener of node?.listeners(event) ?? []) {
        if (!before[index]!.has(listener))
          node?.removeListener(event, listener as (...args: unknown[]) => void);
      }
    });
  }
}
