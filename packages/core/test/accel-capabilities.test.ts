import * as tf from '@tensorflow/tfjs';
import type { FastDecoderProvider } from '@trl/spec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CAPABILITY_NAMES,
  type CapabilityName,
  type CapabilityProviders,
  type FusedAdamWProvider,
  fastDecoderProvider,
  getCapability,
  registerCapability,
  registerFastDecoderProvider,
  type TransposedMatMulProvider,
} from '../src/accel/capabilities';
import { AdamW } from '../src/train/adamw';
import { useBackend } from './helpers/backends';

const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Registers for this test only. */
function register<N extends CapabilityName>(name: N, provider: CapabilityProviders[N]): () => void {
  const unregister = registerCapability(name, provider);
  cleanups.push(unregister);
  return unregister;
}

const matmul = (name: string): TransposedMatMulProvider => ({ name, supportsBackend: () => true });

describe('capability registry', () => {
  it('lists the three capabilities', () => {
    expect([...CAPABILITY_NAMES].sort()).toEqual(['fastDecoder', 'fusedAdamW', 'transposedMatMul']);
  });

  it('returns undefined for a capability nobody provides', () => {
    for (const name of CAPABILITY_NAMES) expect(getCapability(name)).toBeUndefined();
  });

  it('returns the registered provider and forgets it when unregistered', () => {
    const provider = matmul('one');
    const unregister = register('transposedMatMul', provider);
    expect(getCapability('transposedMatMul')).toBe(provider);
    expect(getCapability('fusedAdamW')).toBeUndefined();
    unregister();
    expect(getCapability('transposedMatMul')).toBeUndefined();
  });

  it('replaces an earlier provider, and a stale unregister leaves the newer one', () => {
    const unregisterFirst = register('transposedMatMul', matmul('first'));
    const second = matmul('second');
    register('transposedMatMul', second);
    expect(getCapability('transposedMatMul')).toBe(second);
    unregisterFirst();
    expect(getCapability('transposedMatMul')).toBe(second);
  });

  it('rejects an unknown name and a provider missing a method, naming what is missing', () => {
    expect(() => registerCapability('fastMatMul' as never, matmul('x') as never)).toThrow(
      /unknown capability 'fastMatMul'/,
    );
    expect(() =>
      registerCapability('fusedAdamW', { name: 'half', supportsBackend: () => true } as never),
    ).toThrow(/'fusedAdamW' provider lacks update/);
    expect(() => registerCapability('fastDecoder', null as never)).toThrow(/lacks name, create/);
    expect(getCapability('fusedAdamW')).toBeUndefined();
  });

  it('keeps the fast-decoder shorthands working on the same slot', () => {
    const provider: FastDecoderProvider = { name: 'fake', create: () => undefined };
    cleanups.push(registerFastDecoderProvider(provider));
    expect(getCapability('fastDecoder')).toBe(provider);
    expect(fastDecoderProvider()).toBe(provider);
  });

  it('is shared by two copies of the module (as two installs of @trl/core would be)', async () => {
    vi.resetModules();
    const copyA = await import('../src/accel/capabilities');
    vi.resetModules();
    const copyB = await import('../src/accel/capabilities');
    // Distinct module instances with their own functions, as two copies in node_modules have.
    expect(copyA.getCapability).not.toBe(copyB.getCapability);
    const provider = matmul('shared');
    const unregister = copyA.registerCapability('transposedMatMul', provider);
    cleanups.push(unregister);
    expect(copyB.getCapability('transposedMatMul')).toBe(provider);
    expect(getCapability('transposedMatMul')).toBe(provider);
    unregister();
    expect(copyB.getCapability('transposedMatMul')).toBeUndefined();
  });
});

describe('AdamW with a fusedAdamW provider', () => {
  function fakeFused(backendName: string) {
    const calls: { factors: unknown; shape: number[] }[] = [];
    const provider: FusedAdamWProvider = {
      name: 'fake',
      supportsBackend: (name) => name === backendName,
      update: ({ param, grad, first, second }, factors) => {
        calls.push({ factors, shape: param.shape });
        // Recognisable outputs: tells the test AdamW assigned exactly what the provider returned.
        return tf.tidy(() => [tf.add(param, grad), tf.add(first, 1), tf.add(second, 2)]);
      },
    };
    return { provider, calls };
  }

  function oneStep(): Float32Array[] {
    // In tidy so the initial value is freed (the variable outlives it).
    const variable = tf.tidy(() => tf.variable(tf.tensor1d([1, 2]), true));
    const optimizer = new AdamW([{ name: 'w', variable, decay: true }], {
      learningRate: 0.1,
      weightDecay: 0.5,
      beta1: 0.9,
      beta2: 0.99,
      epsilon: 1e-6,
    });
    const grad = tf.tensor1d([0.5, -0.5]);
    optimizer.step({ w: grad });
    const state = optimizer.getState().parameters.w!;
    const values = [variable.dataSync() as Float32Array, state.firstMoment, state.secondMoment];
    optimizer.dispose();
    tf.dispose([variable, grad]);
    return values;
  }

  it('hands the update to the provider on a backend it supports, with the step factors', async () => {
    await useBackend('cpu');
    const fake = fakeFused('cpu');
    register('fusedAdamW', fake.provider);
    const before = tf.memory().numTensors;
    const [param, first, second] = oneStep();
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(param!)).toEqual([1.5, 1.5]);
    expect(Array.from(first!)).toEqual([1, 1]);
    expect(Array.from(second!)).toEqual([2, 2]);
    expect(fake.calls).toHaveLength(1);
    const factors = fake.calls[0]!.factors as Record<string, number>;
    expect(factors.decayFactor).toBeCloseTo(1 - 0.1 * 0.5, 12);
    expect(factors.stepSize).toBeCloseTo(0.1 / (1 - 0.9), 12);
    expect(factors.biasCorrection2Sqrt).toBeCloseTo(Math.sqrt(1 - 0.99), 12);
    expect([factors.beta1, factors.beta2, factors.epsilon]).toEqual([0.9, 0.99, 1e-6]);
  });

  it('keeps the tensor-op update on a backend the provider does not support', async () => {
    await useBackend('cpu');
    const reference = oneStep();
    const fake = fakeFused('wasm');
    register('fusedAdamW', fake.provider);
    const values = oneStep();
    expect(fake.calls).toHaveLength(0);
    expect(values.map((array) => Array.from(array))).toEqual(reference.map((array) => Array.from(array)));
    await useBackend('wasm');
  });
});
