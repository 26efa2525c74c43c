import { dirname } from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { moduleRequire } from './module-require';

let configured = false;

/** The directory holding tfjs-backend-wasm's `.wasm` files inside node_modules. */
export function wasmBinaryDirectory(): string {
  // The package's main entry sits in dist/, next to the binaries.
  return dirname(moduleRequire().resolve('@tensorflow/tfjs-backend-wasm'));
}

/**
 * Points tfjs-backend-wasm at the binaries shipped in node_modules so they are read from disk,
 * never fetched. Must run before the wasm backend is first initialised; later calls are no-ops.
 */
export function configureWasmBinaries(): void {
  if (configured) return;
  setWasmPaths(`${wasmBinaryDirectory()}/`);
  configured = true;
}
