import { initBackend, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeKernelStatus, registerNativeKernels } from '../src/index';
import { runOn } from './helpers/backends';
import { maxRelativeError, randomFloats } from './helpers/reference';

type Activation = 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'sigmoid' | 'elu';

const aShape = [2, 20, 24];
const bShape = [2, 24, 30];

async function compare(activation: Activation, biasShape: number[] | null, nativeExpected: boolean) {
  const inputs = [
    { values: randomFloats(2 * 20 * 24, 7).map((v) => v * 3), shape: aShape },
    { values: randomFloats(2 * 24 * 30, 8), shape: bShape },
    {
      values: randomFloats(biasShape ? biasShape.reduce((x, d) => x * d, 1) : 1, 9),
      shape: biasShape ?? [1],
    },
  ];
  const build = (t: tf.Tensor[]) =>
    tf.fused.matMul({
      a: t[0] as tf.Tensor3D,
      b: t[1] as tf.Tensor3D,
      bias: biasShape ? t[2] : undefined,
      activation,
      leakyreluAlpha: 0.15,
    });
  const before = nativeKernelStatus().calls;
  const native = await runOn('native', inputs, build);
  const after = nativeKernelStatus().calls;
  // A fallback must reproduce the stock kernel exactly; a native product must match cpu.
  const reference = await runOn(nativeExpected ? 'cpu' : 'stock', inputs, build);
  const label = `${activation} bias=${JSON.stringify(biasShape)}`;
  expect(native.shape, label).toEqual(reference.shape);
  expect(maxRelativeError(native.values, reference.values), label).toBeLessThan(
    nativeExpected ? 2e-5 : 1e-12,
  );
  expect(after.native - before.native, label).toBe(nativeExpected ? 1 : 0);
}

describe('native _FusedMatMul in the wasm backend', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    expect(registerNativeKernels()).toBe(true);
  });

  it('fuses a per-column or scalar bias and the supported activations', async () => {
    await compare('linear', null, true);
    await compare('relu', [30], true);
    await compare('relu6', [1], true);
    await compare('leakyrelu', [30], true);
    await compare('sigmoid', [30], true);
  });

  it('hands unsupported activations to the stock kernel', async () => {
    await compare('elu', [30], false);
  });
});
