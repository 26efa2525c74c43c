export type { BackendInfo, BackendName, BackendPreference } from './backend-info';
export { BACKEND_PREFERENCES } from './backend-info';
export { getBackendInfo, initBackend } from './init-backend';
export {
  asWasmBackend,
  type WasmBackendInternals,
  type WasmDataRecord,
  wasmFloat32HeapOffset,
  wasmHeapBuffer,
  wasmHeapOffset,
} from './wasm-internals';
export type { InitBackendOptions } from './wasm-threads';
