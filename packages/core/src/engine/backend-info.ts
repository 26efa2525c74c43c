/** A concrete backend trl-ts can run on, fastest first. */
export type BackendName = 'node-gpu' | 'node' | 'wasm' | 'cpu';

/** What {@link initBackend} accepts: a concrete backend, or `auto` for the fastest one available. */
export type BackendPreference = 'auto' | BackendName;

/** Every accepted preference, in the order `auto` tries the concrete ones (after `auto` itself). */
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'node-gpu', 'node', 'wasm', 'cpu'];

/** The backend in use, as chosen by {@link initBackend}. */
export interface BackendInfo {
  /** The trl-ts name of the backend. */
  name: BackendName;
  /** The name tfjs registered it under (`tensorflow` for both tfjs-node bindings). */
  tfBackend: string;
  /**
   * Whether kernels are vectorised: the wasm SIMD build, or TensorFlow's C library under tfjs-node. False for the
   * pure-JS cpu backend and for a wasm runtime without SIMD.
   */
  simd: boolean;
  /** Threads kernels may use: 1 for cpu, XNNPACK's pool size for wasm (1 in Node unless `initBackend` was given `threads`), the core count for node and node-gpu (tfjs-node, not @trl/native). */
  threads: number;
}
