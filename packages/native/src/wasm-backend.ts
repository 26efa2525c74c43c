import type { tf } from '@trl/core';

type TensorInfo = tf.TensorInfo;
type DataId = TensorInfo['dataId'];

/**
 * The parts of tfjs-backend-wasm 4.22's `BackendWasm` the native kernels touch. They are private
 * API: {@link asWasmBackend} checks each one at run time before a kernel relies on it.
 */
export interface WasmBackendInternals {
  /** The Emscripten module; `HEAPU8` is replaced whenever the heap grows. */
  wasm: { HEAPU8: Uint8Array };
  /** Per-tensor records; `memoryOffset` is the tensor's byte address on the heap. */
  dataIdMap: { get(dataId: DataId): { memoryOffset?: unknown } | undefined };
  /** Allocates an output tensor on the heap (may grow it). */
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  /** Frees a tensor's heap memory. */
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/** The backend as {@link WasmBackendInternals}, or undefined when its shape is not the expected one. */
export function asWasmBackend(backend: unknown): WasmBackendInternals | undefined {
  if (typeof backend !== 'object' || backend === null) return undefined;
  const candidate = backend as Record<string, unknown>;
  const wasm = candidate.wasm as Record<string, unknown> | undefined;
  const dataIdMap = candidate.dataIdMap as Record<string, unknown> | undefined;
  if (typeof wasm !== 'object' || wasm === null || !(wasm.HEAPU8 instanceof Uint8Array)) return undefined;
  if (typeof dataIdMap !== 'object' || dataIdMap === null || typeof dataIdMap.get !== 'function')
    return undefined;
  if (typeof candidate.makeOutput !== 'function' || typeof candidate.disposeData !== 'function')
    return undefined;
  return backend as WasmBackendInternals;
}

/** A float32 tensor's byte offset on the heap, or undefined when the record is not as expected. */
export function heapOffset(backend: WasmBackendInternals, info: TensorInfo): number | undefined {
  if (info.dtype !== 'float32') return undefined;
  const offset = backend.dataIdMap.get(info.dataId)?.memoryOffset;
  return typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 && offset % 4 === 0
    ? offset
    : undefined;
}

/**
 * The heap's current ArrayBuffer. Read it only after the last allocation of a kernel: growing the
 * heap detaches the previous buffer.
 */
export function heapBuffer(backend: WasmBackendInternals): ArrayBuffer | undefined {
  const buffer = backend.wasm.HEAPU8.buffer;
  return buffer instanceof ArrayBuffer ? buffer : undefined;
}
