import { initBackend, tf } from '@trl/core';
import { nativeKernelStatus, registerNativeKernels, unregisterNativeKernels } from '../../src/index';

/** Which implementation computes a product in {@link runOn}. */
export type Engine = 'native' | 'stock' | 'cpu';

/**
 * Runs `build` on fresh tensors made from `inputs` under one engine and returns the output's
 * values and shape; the wasm backend is left active with the native kernels registered.
 */
export async function runOn(
  engine: Engine,
  inputs: Array<{ values: Float32Array; shape: number[] }>,
  build: (tensors: tf.Tensor[]) => tf.Tensor,
): Promise<{ values: Float32Array; shape: number[] }> {
  if (engine === 'cpu') await initBackend('cpu');
  else await initBackend('wasm');
  if (engine === 'stock') unregisterNativeKernels();
  let result: { values: Float32Array; shape: number[] } | undefined;
  try {
    const tensors = inputs.map(({ values, shape }) => tf.tensor(values, shape, 'float32'));
    const out = build(tensors);
    result = { values: (await out.data()) as Float32Array, shape: out.shape };
    tf.dispose([...tensors, out]);
  } finally {
    await initBackend('wasm');
    registerNativeKernels();
  }
  if (nativeKernelStatus().registered.length === 0) throw new Error('native kernels did not re-register');
  return result;
}
