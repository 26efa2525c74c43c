import { ADAMW_KERNEL_NAME, type AdamWKernelAttrs, tf } from '@trl/core';
import type { NativeAddon } from './addon';
import { asWasmBackend, heapBuffer, heapOffset } from './wasm-backend';

type TensorInfo = tf.TensorInfo;

/**
 * The fused AdamW kernel (@trl/core's `TrlAdamW` contract) for the wasm backend: three fresh
 * outputs allocated on the heap, then one native pass over the parameter.
 */
function adamwKernel(addon: NativeAddon, onFailure: (error: unknown) => void): tf.KernelFunc {
  return (args) => {
    const backend = asWasmBackend(args.backend);
    if (!backend) throw new Error('TrlAdamW: the wasm backend internals are not as expected.');
    const { param, grad, first, second } = args.inputs as Record<string, TensorInfo>;
    const inputs = [param, grad, first, second];
    const count = param!.shape.reduce((a, b) => a * b, 1);
    for (const [index, input] of inputs.entries()) {
      if (input?.dtype !== 'float32' || input.shape.reduce((a, b) => a * b, 1) !== count)
        throw new Error(`TrlAdamW: input ${index} must be float32 with the parameter's ${count} elements.`);
    }
    const outputs = [0, 1, 2].map(() => backend.makeOutput([...param!.shape], 'float32'));
    try {
      // Offsets and the heap view only after the last allocation: growth replaces the buffer.
      const offsets = [...inputs, ...outputs].map((t) => heapOffset(backend, t!));
      const heap = heapBuffer(backend);
      if (heap === undefined || offsets.some((o) => o === undefined))
        throw new Error('TrlAdamW: a tensor has no heap offset.');
      const attrs = args.attrs as unknown as AdamWKernelAttrs;
      addon.adamw(
        heap,
        ...(offsets as [number, number, number, number, number, number, number]),
        count,
        attrs.beta1,
        attrs.beta2,
        attrs.epsilon,
        attrs.decayFactor,
        attrs.stepSize,
        attrs.biasCorrection2Sqrt,
      );
    } catch (error) {
      for (const out of outputs) backend.disposeData(out.dataId, true);
      onFailure(error);
      throw error;
    }
    return outputs;
  };
}

/** Registers the fused AdamW kernel for wasm (replacing an earlier registration). */
export function registerAdamWKernel(addon: NativeAddon, onFailure: (error: unknown) => void): void {
  unregisterAdamWKernel();
  tf.registerKernel({
    kernelName: ADAMW_KERNEL_NAME,
    backendName: 'wasm',
    kernelFunc: adamwKernel(addon, onFailure),
  });
}

/** Removes the fused AdamW kernel, if registered. */
export function unregisterAdamWKernel(): void {
  if (tf.getKernel(ADAMW_KERNEL_NAME, 'wasm')) tf.unregisterKernel(ADAMW_KERNEL_NAME, 'wasm');
}
