import {
  asWasmBackend,
  type FusedAdamWFactors,
  type FusedAdamWInputs,
  type FusedAdamWProvider,
  tf,
  wasmFloat32HeapOffset,
  wasmHeapBuffer,
} from '@trl/core';
import type { NativeAddon } from './addon';

/**
 * One AdamW update on the wasm heap: three fresh outputs allocated there, then one native pass over
 * the parameter. The outputs become tensors the way tfjs wraps a kernel's outputs
 * (`makeTensorFromTensorInfo`), so no tfjs kernel needs registering for this.
 */
function updateOnWasmHeap(
  addon: NativeAddon,
  onFailure: (error: unknown) => void,
  { param, grad, first, second }: FusedAdamWInputs,
  factors: FusedAdamWFactors,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const backend = asWasmBackend(tf.backend());
  if (!backend) throw new Error('fused AdamW: the wasm backend internals are not as expected.');
  const inputs = [param, grad, first, second];
  const count = param.size;
  for (const [index, input] of inputs.entries()) {
    if (input.dtype !== 'float32' || input.size !== count)
      throw new Error(`fused AdamW: input ${index} must be float32 with the parameter's ${count} elements.`);
  }
  const outputs = [0, 1, 2].map(() => backend.makeOutput([...param.shape], 'float32'));
  try {
    // Offsets and the heap view only after the last allocation: growth replaces the buffer.
    const offsets = [...inputs, ...outputs].map((t) => wasmFloat32HeapOffset(backend, t));
    const heap = wasmHeapBuffer(backend);
    if (heap === undefined || offsets.some((o) => o === undefined))
      throw new Error('fused AdamW: a tensor has no heap offset.');
    addon.adamw(
      heap,
      ...(offsets as [number, number, number, number, number, number, number]),
      count,
      factors.beta1,
      factors.beta2,
      factors.epsilon,
      factors.decayFactor,
      factors.stepSize,
      factors.biasCorrection2Sqrt,
    );
  } catch (error) {
    for (const out of outputs) backend.disposeData(out.dataId, true);
    onFailure(error);
    throw error;
  }
  const engine = tf.engine();
  return [
    engine.makeTensorFromTensorInfo(outputs[0]!),
    engine.makeTensorFromTensorInfo(outputs[1]!),
    engine.makeTensorFromTensorInfo(outputs[2]!),
  ];
}

/** The addon's AdamW as @trl/core's `fusedAdamW` capability, for the wasm backend only. */
export function nativeFusedAdamWProvider(
  addon: NativeAddon,
  onFailure: (error: unknown) => void,
): FusedAdamWProvider {
  return {
    name: '@trl/native',
    supportsBackend: (backendName) => backendName === 'wasm',
    update: (inputs, factors) => updateOnWasmHeap(addon, onFailure, inputs, factors),
  };
}
