import { ADAMW_KERNEL_NAME, AdamW, hasAdamWKernel, initBackend, tf } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerNativeKernels, unregisterNativeKernels } from '../src/index';

/** Runs `steps` AdamW steps on fixed parameters and gradients; returns the final values. */
function train(steps: number): Float32Array[] {
  // Inside tidy so the initial values are freed (variables outlive it).
  const variables = tf.tidy(() => [
    tf.variable(tf.tensor2d([0.5, -1.25, 2, 0.125, -0.75, 3], [2, 3]), true),
    tf.variable(tf.tensor1d([0.25, -0.5, 1]), true),
  ]);
  const optimizer = new AdamW(
    [
      { name: 'w', variable: variables[0]!, decay: true },
      { name: 'b', variable: variables[1]!, decay: false },
    ],
    { learningRate: 0.01, weightDecay: 0.1, beta1: 0.9, beta2: 0.95, epsilon: 1e-8 },
  );
  for (let step = 0; step < steps; step++) {
    const grads = {
      w: tf.tensor2d([0.1, -0.2, 0.3 * step, -0.4, 0.5, -0.6 / (step + 1)], [2, 3]),
      b: tf.tensor1d([1e-3, -2, 0.5 * step]),
    };
    optimizer.step(grads);
    tf.dispose(Object.values(grads));
  }
  const values = variables.map((v) => v.dataSync() as Float32Array);
  optimizer.dispose();
  tf.dispose(variables);
  return values;
}

beforeAll(async () => {
  await initBackend('wasm');
});

afterAll(() => {
  unregisterNativeKernels();
});

describe('fused AdamW kernel', () => {
  it('is registered with the native kernels and removed with them', () => {
    unregisterNativeKernels();
    expect(hasAdamWKernel()).toBe(false);
    expect(registerNativeKernels()).toBe(true);
    expect(hasAdamWKernel()).toBe(true);
    expect(tf.getKernel(ADAMW_KERNEL_NAME, 'wasm')).toBeDefined();
  });

  it('gives the same parameters as the tensor-op AdamW, with and without weight decay', () => {
    registerNativeKernels();
    const fused = train(5);
    unregisterNativeKernels();
    const reference = train(5);
    registerNativeKernels();
    fused.forEach((values, i) => {
      const expected = reference[i]!;
      for (let j = 0; j < values.length; j++) expect(values[j]).toBeCloseTo(expected[j]!, 6);
    });
    // Not a no-op: the parameters moved.
    expect(Math.abs(fused[0]![0]! - 0.5)).toBeGreaterThan(1e-3);
  });

  it('leaks no tensors over steps', () => {
    registerNativeKernels();
    train(1);
    const before = tf.memory().numTensors;
    train(3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects mismatched inputs by name', () => {
    registerNativeKernels();
    const a = tf.zeros([3]);
    const b = tf.zeros([4]);
    expect(() =>
      tf
        .engine()
        .runKernel(
          ADAMW_KERNEL_NAME,
          { param: a, grad: b, first: a, second: a },
          { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, decayFactor: 1, stepSize: 0.1, biasCorrection2Sqrt: 1 },
        ),
    ).toThrow(/input 1/);
    tf.dispose([a, b]);
  });
});
