import * as tf from '@tensorflow/tfjs';

/** The tfjs-backend-wasm 4.22 internals read here; feature-checked on every call. */
interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset?: number | null; dtype?: string } | undefined };
}

/**
 * The float32 data of `tensor` as a view into the wasm heap, in place, or `undefined` when the
 * backend is not wasm or its internals look different (then read with `dataSync`).
 *
 * Why: `dataSync` on wasm copies into a fresh buffer, and first-touching fresh memory (page faults)
 * costs more than the AdamW arithmetic itself on these machines. The view is valid only until the
 * backend allocates again (heap growth detaches the buffer): take it right before use, never keep it.
 */
export function wasmFloat32View(tensor: tf.Tensor): Float32Array | undefined {
  if (tensor.dtype !== 'float32' || tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as Partial<WasmBackendInternals>;
  const heap = backend.wasm?.HEAPU8;
  const record =
    typeof backend.dataIdMap?.get === 'function' ? backend.dataIdMap.get(tensor.dataId) : undefined;
  const offset = record?.memoryOffset;
  if (!(heap instanceof Uint8Array) || typeof offset !== 'number' || record?.dtype !== 'float32') {
    return undefined;
  }
  if (offset % 4 !== 0 || offset + tensor.size * 4 > heap.length) return undefined;
  return new Float32Array(heap.buffer, heap.byteOffset + offset, tensor.size);
}
