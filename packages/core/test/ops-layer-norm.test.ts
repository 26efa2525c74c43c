import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { layerNorm } from '../src/ops/index';
import { describeEachBackend } from './helpers/backends';
import { expectGradientsMatchNumerical } from './helpers/gradient-check';
import { expectNoTensorLeak, expectTensorClose, randomTensor } from './helpers/tensors';

describeEachBackend('layerNorm', () => {
  it('normalises the last axis with the biased variance, then scales and shifts', () => {
    tf.tidy(() => {
      const x = tf.tensor2d([
        [1, 2, 3, 4],
        [2, 2, 2, 2],
      ]);
      const gamma = tf.tensor1d([1, 1, 2, 2]);
      const beta = tf.tensor1d([0, 0, 0, 1]);
      // Row 1: mean 2.5, biased variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25 (unbiased would be 5/3).
      const s = Math.sqrt(1.25 + 1e-5);
      // Row 2 is constant: x − mean = 0 everywhere, so the output is β.
      const expected = [-1.5 / s, -0.5 / s, (2 * 0.5) / s, (2 * 1.5) / s + 1, 0, 0, 0, 1];
      expectTensorClose(layerNorm(x, gamma, beta), expected, 1e-5);
    });
  });

  it('honours a custom epsilon', () => {
    tf.tidy(() => {
      const y = layerNorm(tf.tensor1d([0, 2]), tf.ones([2]) as tf.Tensor1D, tf.zeros([2]) as tf.Tensor1D, 1);
      // Variance 1, so the denominator is sqrt(1 + 1).
      expectTensorClose(y, [-1 / Math.SQRT2, 1 / Math.SQRT2]);
    });
  });

  it('matches central differences in x, gamma and beta', () => {
    const x = randomTensor([2, 2, 5], 31);
    const gamma = randomTensor([5], 32);
    const beta = randomTensor([5], 33);
    expectGradientsMatchNumerical(
      (a, g, b) => layerNorm(a, g as tf.Tensor1D, b as tf.Tensor1D),
      [x, gamma, beta],
      { atol: 2e-3 },
    );
    tf.dispose([x, gamma, beta]);
  });

  it('does not leak tensors across forward + gradient steps', () => {
    const x = randomTensor([3, 4], 34);
    const gamma = randomTensor([4], 35) as tf.Tensor1D;
    const beta = randomTensor([4], 36) as tf.Tensor1D;
    expectNoTensorLeak(() =>
      tf.tidy(() => {
        tf.grads((a: tf.Tensor, g: tf.Tensor) => layerNorm(a, g as tf.Tensor1D, beta).sum())([x, gamma]);
      }),
    );
    tf.dispose([x, gamma, beta]);
  });
});

describe('layerNorm input validation', () => {
  it('names gamma or beta when their length does not match the feature axis', () => {
    const x = tf.ones([2, 4]);
    const good = tf.ones([4]) as tf.Tensor1D;
    const bad = tf.ones([3]) as tf.Tensor1D;
    expect(() => layerNorm(x, bad, good)).toThrow(
      "layerNorm: gamma must be 1-D [4] to match x's last axis, got shape [3] (x is [2, 4])",
    );
    expect(() => layerNorm(x, good, bad)).toThrow('layerNorm: beta must be 1-D [4]');
    tf.dispose([x, good, bad]);
  });

  it('rejects a non-positive epsilon and integer input', () => {
    const x = tf.ones([2, 4]);
    const ints = tf.ones([2, 4], 'int32');
    const gamma = tf.ones([4]) as tf.Tensor1D;
    expect(() => layerNorm(x, gamma, gamma, 0)).toThrow('layerNorm: epsilon must be positive, got 0');
    expect(() => layerNorm(ints, gamma, gamma)).toThrow('layerNorm: x must have dtype float32, got int32');
    tf.dispose([x, ints, gamma]);
  });
});
