import { initBackend, tf } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeKernelStatus, registerNativeKernels, unregisterNativeKernels } from '../src/index';
import { maxRelativeError, randomFloats } from './helpers/reference';

/** A tiny attention-like model: a projection, scores with a transposed product, then a weighted sum. */
function lossAndGrads(fused: boolean) {
  const x = tf.tensor3d(randomFloats(4 * 24 * 32, 1), [4, 24, 32]);
  const w = tf.variable(tf.tensor2d(randomFloats(32 * 40, 2), [32, 40]), true, `w${fused}`);
  const bias = tf.variable(tf.tensor1d(randomFloats(40, 3)), true, `bias${fused}`);
  const probe = tf.tensor3d(randomFloats(4 * 24 * 40, 4), [4, 24, 40]);
  const { value, grads } = tf.variableGrads(() => {
    const flat = tf.reshape(x, [96, 32]);
    const projected = fused
      ? tf.fused.matMul({ a: flat, b: w, bias, activation: 'relu' })
      : tf.relu(tf.add(tf.matMul(flat, w), bias));
    const h = tf.reshape(projected, [4, 24, 40]);
    const scores = tf.matMul(h, h, false, true);
    const mixed = tf.matMul(tf.softmax(tf.mul(scores, 0.05)), h);
    return tf.sum(tf.mul(mixed, probe));
  }, [w, bias]);
  const result = {
    loss: value.dataSync()[0] ?? Number.NaN,
    dw: grads[w.name]?.dataSync().slice() ?? new Float32Array(),
    dbias: grads[bias.name]?.dataSync().slice() ?? new Float32Array(),
  };
  tf.dispose([x, probe, value, ...Object.values(grads), w, bias]);
  return result;
}

describe('gradients with native kernels', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(() => {
    registerNativeKernels();
  });

  for (const fused of [false, true])
    it(`match the stock kernels (${fused ? 'fused' : 'unfused'} projection)`, () => {
      unregisterNativeKernels();
      const stock = lossAndGrads(fused);
      expect(registerNativeKernels()).toBe(true);
      const before = nativeKernelStatus().calls.native;
      const native = lossAndGrads(fused);
      // Forward and backward products both ran natively (3 forward, 6 backward at least).
      expect(nativeKernelStatus().calls.native - before).toBeGreaterThanOrEqual(8);
      expect(Math.abs(native.loss - stock.loss) / (1 + Math.abs(stock.loss))).toBeLessThan(1e-4);
      expect(maxRelativeError(native.dw, stock.dw)).toBeLessThan(1e-4);
      expect(maxRelativeError(native.dbias, stock.dbias)).toBeLessThan(1e-4);
      expect(stock.dw.some((v) => v !== 0)).toBe(true);
    });
});
