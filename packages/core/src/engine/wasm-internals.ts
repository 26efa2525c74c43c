import type * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;
type DataId = TensorInfo['dataId'];

/** What the wasm backend records per tensor; only the fields read here, untrusted until checked. */
export interface WasmDataRecord {
  /** The tensor's byte address on the heap. */
  memoryOffset?: unknown;
  /** The dtype the backend stored. */
  dtype?: unknown;
}

/**
 * The parts of tfjs-backend-wasm 4.22's `BackendWasm` that trl-ts reads and calls directly: the
 * heap-to-heap Slice/SplitV/Identity kernels, in-place host views for AdamW, and @trl/native's
 * kernels. They are private API, so this is their one typing and {@link asWasmBackend} their one
 * run-time check; a tfjs upgrade that changes them breaks here, in one place.
 */
export interface WasmBackendInternals {
  /** The Emscripten module; `HEAPU8` is replaced whenever the heap grows. */
  wasm: { HEAPU8: Uint8Array };
  /** Per-tensor records keyed by data id. */
  dataIdMap: { get(dataId: DataId): WasmDataRecord | undefined };
  /** Allocates an output tensor on the heap (may grow it, detaching earlier views). */
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  /** Frees a tensor's heap memory (`force` ignores its reference count). */
  disposeData(dataId: DataId, force?: boolean): boolean;
  /** Adds a reference to a tensor's data, as tensors sharing one buffer need. */
  incRef(dataId: DataId): void;
}

/**
 * `backend` as {@link WasmBackendInternals}, or undefined when it is not the wasm backend or its
 * internals are not shaped as expected (callers then use the public, slower path).
 */
export function asWasmBackend(backend: unknown): WasmBackendInternals | undefined {
  if (typeof backend !== 'object' || backend === null) return undefined;
  const candidate = backend as Record<string, unknown>;
  const wasm = candidate.wasm as Record<string, unknown> | null | undefined;
  const dataIdMap = candidate.dataIdMap as Record<string, unknown> | null | undefined;
  if (typeof wasm !== 'object' || wasm === null || !(wasm.HEAPU8 instanceof Uint8Array)) return undefined;
  if (typeof dataIdMap !== 'object' || dataIdMap === null || typeof dataIdMap.get !== 'function')
    return undefined;
  for (const method of ['makeOutput', 'disposeData', 'incRef']) {
    if (typeof candidate[method] !== 'function') return undefined;
  }
  return backend as WasmBackendInternals;
}

/** A tensor's byte address on the heap (any dtype), or undefined when its record is not as expected. */
export function wasmHeapOffset(backend: WasmBackendInternals, info: TensorInfo): number | undefined {
  const offset = backend.dataIdMap.get(info.dataId)?.memoryOffset;
  return typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 ? offset : undefined;
}

/** Like {@link wasmHeapOffset}, for a float32 tensor at a float-aligned address only. */
export function wasmFloat32HeapOffset(backend: WasmBackendInternals, info: TensorInfo): number | undefined {
  if (info.dtype !== 'float32') return undefined;
  const offset = wasmHeapOffset(backend, info);
  return offset !== undefined && offset % 4 === 0 ? offset : undefined;
}

/**
 * The heap's current ArrayBuffer (undefined for a shared, multithreaded heap). Read it only after
 * the last allocation of a kernel: growing the heap detaches the previous buffer.
 */
export function wasmHeapBuffer(backend: WasmBackendInternals): ArrayBuffer | undefined {
  const buffer = backend.wasm.HEAPU8.buffer;
  return buffer instanceof ArrayBuffer ? buffer : undefined;
}
