import * as tf from '@tensorflow/tfjs';
import { asWasmBackend } from '../engine/wasm-internals';

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
  const backend = asWasmBackend(tf.backend());
  if (!backend) return undefined;
  const heap = backend.wasm.HEAPU8;
  const record = backend.dataIdMap.get(tensor.dataId);
  const offset = record?.memoryOffset;
  if (typeof offset !== 'number' || record?.dtype !== 'float32') return undefined;
  if (offset % 4 !== 0 || offset + tensor.size * 4 > heap.length) return undefined;
  return new Float32Array(heap.buffer, heap.byteOffset + offset, tensor.size);
}
