import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { geluNew } from '../src/ops/index';
import { describeEachBackend } from './helpers/backends';
import { expectGradientsMatchNumerical } from './helpers/gradient-check';
import { expectNoTensorLeak, expectTensorClose } from './helpers/tensors';

/** The tanh formula evaluated in float64, as the reference. */
function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

describeEachBackend('geluNew', () => {
  const points = [-6, -2, -1, -0.5, 0, 0.5, 1, 2, 6];

  it('matches the tanh formula and known values', () => {
    tf.tidy(() => {
      const y = geluNew(tf.tensor1d(points));
      expectTensorClose(y, points.map(geluTanh), 1e-6);
      const [atMinusOne, atOne] = geluNew(tf.tensor1d([-1, 1])).dataSync();
      expect(atOne).toBeCloseTo(0.841192, 5);
      expect(atMinusOne).toBeCloseTo(-0.158808, 5);
    });
  });

  it('matches central differences, including the saturated tails', () => {
    const x = tf.tensor2d([points.slice(0, 3), points.slice(3, 6), points.slice(6, 9)]);
    expectGradientsMatchNumerical((a) => geluNew(a), [x]);
    x.dispose();
  });

  it('does not leak tensors across forward + gradient steps', () => {
    const x = tf.tensor1d(points);
    expectNoTensorLeak(() =>
      tf.tidy(() => {
        tf.grads((a: tf.Tensor) => geluNew(a).sum())([x]);
      }),
    );
    x.dispose();
  });
});

describe('geluNew input validation', () => {
  it('rejects integer input', () => {
    const ints = tf.ones([2], 'int32');
    expect(() => geluNew(ints)).toThrow('geluNew: x must have dtype float32, got int32');
    ints.dispose();
  });
});
