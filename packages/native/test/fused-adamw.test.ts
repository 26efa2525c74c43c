import { AdamW, getCapability, initBackend, registerCapability, tf } from '@trl/core';
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

/** The registered fusedAdamW provider, if it serves wasm. */
function fusedOnWasm() {
  const provider = getCapability('fusedAdamW');
  return provider?.supportsBackend('wasm') ? provider : undefined;
}

describe('native fused AdamW', () => {
  it('is provided with the native kernels (wasm only) and removed with them', () => {
    unregisterNativeKernels();
    expect(getCapability('fusedAdamW')).toBeUndefined();
    expect(registerNativeKernels()).toBe(true);
    expect(fusedOnWasm()?.name).toBe('@trl/native');
    expect(getCapability('fusedAdamW')?.supportsBackend('cpu')).toBe(false);
    unregisterNativeKernels();
    expect(registerNativeKernels({ adamw: false })).toBe(true);
    expect(getCapability('fusedAdamW')).toBeUndefined();
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

  it('is what AdamW calls on wasm, once per parameter update', () => {
    registerNativeKernels();
    const native = fusedOnWasm()!;
    let calls = 0;
    const unregister = registerCapability('fusedAdamW', {
      ...native,
      update: (inputs, factors) => {
        calls++;
        return native.update(inputs, factors);
      },
    });
    train(2);
    unregister();
    registerNativeKernels();
    expect(calls).toBe(4);
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
    const before = tf.memory().numTensors;
    expect(() =>
      fusedOnWasm()!.update(
        { param: a, grad: b, first: a, second: a },
        { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, decayFactor: 1, stepSize: 0.1, biasCorrection2Sqrt: 1 },
      ),
    ).toThrow(/input 1/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });
});
