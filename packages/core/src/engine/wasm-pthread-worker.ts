import { join } from 'node:path';
import { Worker as NodeWorker, type TransferListItem, type WorkerOptions } from 'node:worker_threads';
import { moduleRequire } from './module-require';
import { wasmBinaryDirectory } from './wasm-binaries';

/** The emscripten output next to tfjs-backend-wasm's dist/: the threaded JS glue and its pthread worker. */
function wasmOutDirectory(): string {
  return join(wasmBinaryDirectory(), '..', 'wasm-out');
}

/**
 * The pthread worker script, ready to run with `eval: true`. The package ships it as a template
 * literal in which `\n` inside the script's own string literals became real newlines; the backend
 * re-escapes them before making its blob, and so must we.
 */
function pthreadWorkerSource(): string {
  const file = join(wasmOutDirectory(), 'tfjs-backend-wasm-threaded-simd.worker.js');
  const { wasmWorkerContents } = moduleRequire()(file) as { wasmWorkerContents: string };
  return wasmWorkerContents.replace(/\n/g, '\\n');
}

let installed = false;

/**
 * Makes emscripten's pthread workers startable in Node. The threaded backend hands Node's Worker
 * two things it cannot use: a `blob:` URL for the worker script (Node only takes file paths and
 * data: URLs) and a Blob holding the main script for the worker to `importScripts`. The installed
 * global `Worker` runs the worker script by `eval` instead and points the worker at the glue file
 * on disk. It stays a getter because the glue assigns `global.Worker` every time it starts.
 */
export function installPthreadWorker(): void {
  if (installed) return;
  const source = pthreadWorkerSource();
  const glue = join(wasmOutDirectory(), 'tfjs-backend-wasm-threaded-simd.js');

  class PthreadWorker extends NodeWorker {
    constructor(script: string | URL, options?: WorkerOptions) {
      if (typeof script === 'string' && script.startsWith('blob:')) super(source, { eval: true });
      else super(script, options);
    }

    override postMessage(message: unknown, transferList?: readonly TransferListItem[]): void {
      const isLoad =
        typeof message === 'object' && message !== null && 'cmd' in message && message.cmd === 'load';
      if (isLoad && 'urlOrBlob' in message && typeof message.urlOrBlob !== 'string') {
        super.postMessage({ ...message, urlOrBlob: glue }, transferList);
        return;
      }
      super.postMessage(message, transferList);
    }

    // Emscripten refs a worker while its pthread runs, and XNNPACK's pool threads run until the
    // backend is destroyed, so a ref would keep Node from ever exiting. The main thread waits on
    // them synchronously inside each kernel, so they never need the event loop kept alive.
    override ref(): void {}
  }

  Object.defineProperty(globalThis, 'Worker', {
    configurable: true,
    get: () => PthreadWorker,
    set: () => undefined,
  });
  installed = true;
}
