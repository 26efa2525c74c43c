export type { BackendInfo, BackendName, BackendPreference } from './backend-info';
export { BACKEND_PREFERENCES } from './backend-info';
export { getBackendInfo, initBackend } from './init-backend';
export type { InitBackendOptions } from './wasm-threads';
