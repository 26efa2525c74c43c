// Started by engine-process-handlers.test.ts: loads the wasm backend, then fails the way an
// application bug would (an uncaught error, or an unhandled rejection with `reject` as argument).
import { initBackend } from '../../src/engine/index';

await initBackend('wasm');
if (process.argv.includes('reject')) void Promise.reject(new Error('the application rejected'));
else
  setTimeout(() => {
    throw new Error('the application failed');
  }, 0);
