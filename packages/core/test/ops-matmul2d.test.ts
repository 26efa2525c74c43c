import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { matmul2d } from '../src/ops/index';
import { describeEachBackend } from './helpers/backends';
import { expectGradientsMatchNumerical } from './helpers/gradient-check';
import { expectNoTensorLeak, expectTensorClose, randomTensor } from './helpers/tensors';

describeEachBackend('matmul2d', () => {
  it('multiplies hand-checked matrices', () => {
    tf.tidy(() => {
      const a = tf.tensor2d([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const b = tf.tensor2d([
        [1, 0],
        [0, 1],
        [2, -1],
      ]);
      // Row 1: [1 + 6, 2 - 3]; row 2: [4 + 12, 5 - 6].
      expectTensorClose(matmul2d(a, b), [7, -1, 16, -1]);
    });
  });

  it('has the analytic gradients dA = dY·Bᵀ and dB = Aᵀ·dY', () => {
    tf.tidy(() => {
      const a = tf.tensor2d([[1, 2]]);
      const b = tf.tensor2d([
        [3, 4, 5],
        [6, 7, 8],
      ]);
      const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        matmul2d(x as tf.Tensor2D, y as tf.Tensor2D).sum(),
      )([a, b]);
      expectTensorClose(da!, [12, 21]);
      expectTensorClose(db!, [1, 1, 1, 2, 2, 2]);
    });
  });

  it('matches central differences', () => {
    const a = randomTensor([3, 4], 1);
    const b = randomTensor([4, 5], 2);
    expectGradientsMatchNumerical((x, y) => matmul2d(x as tf.Tensor2D, y as tf.Tensor2D), [a, b]);
    tf.dispose([a, b]);
  });

  it('agrees with tf.matMul on a larger product, values and gradients', () => {
    tf.tidy(() => {
      const a = randomTensor([17, 33], 3) as tf.Tensor2D;
      const b = randomTensor([33, 9], 4) as tf.Tensor2D;
      expectTensorClose(matmul2d(a, b), tf.matMul(a, b), 1e-4);
      const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        matmul2d(x as tf.Tensor2D, y as tf.Tensor2D)
          .square()
          .sum(),
      )([a, b]);
      const reference = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf
          .matMul(x as tf.Tensor2D, y as tf.Tensor2D)
          .square()
          .sum(),
      )([a, b]);
      expectTensorClose(ours[0]!, reference[0]!, 1e-3);
      expectTensorClose(ours[1]!, reference[1]!, 1e-3);
    });
  });

  it('returns zeros for an empty inner dimension', () => {
    tf.tidy(() => {
      const product = matmul2d(tf.zeros([2, 0]) as tf.Tensor2D, tf.zeros([0, 3]) as tf.Tensor2D);
      expect(product.shape).toEqual([2, 3]);
      expectTensorClose(product, [0, 0, 0, 0, 0, 0]);
    });
  });

  it('does not leak tensors across forward + gradient steps', () => {
    const a = randomTensor([4, 6], 5) as tf.Tensor2D;
    const b = randomTensor([6, 3], 6) as tf.Tensor2D;
    const step = () =>
      tf.tidy(() => {
        tf.grads((x: tf.Tensor, y: tf.Tensor) => matmul2d(x as tf.Tensor2D, y as tf.Tensor2D).sum())([a, b]);
      });
    expectNoTensorLeak(step);
    tf.dispose([a, b]);
  });
});

describe('matmul2d input validation', () => {
  it('names the argument with the wrong rank', () => {
    const vector = tf.ones([3]);
    const matrix = tf.ones([3, 2]);
    expect(() => matmul2d(vector as tf.Tensor2D, matrix as tf.Tensor2D)).toThrow(
      'matmul2d: a must be 2-D [m, k], got shape [3]',
    );
    expect(() => matmul2d(matrix as tf.Tensor2D, vector as tf.Tensor2D)).toThrow(
      'matmul2d: b must be 2-D [k, n], got shape [3]',
    );
    tf.dispose([vector, matrix]);
  });

  it('reports mismatched inner dimensions with both shapes', () => {
    const a = tf.ones([2, 3]) as tf.Tensor2D;
    const b = tf.ones([4, 2]) as tf.Tensor2D;
    expect(() => matmul2d(a, b)).toThrow('inner dimensions differ: a is [2, 3] and b is [4, 2]');
    tf.dispose([a, b]);
  });

  it('rejects integer operands and non-tensors', () => {
    const ints = tf.ones([2, 2], 'int32') as tf.Tensor2D;
    expect(() => matmul2d(ints, ints)).toThrow('matmul2d: a must have dtype float32, got int32');
    expect(() => matmul2d([[1]] as unknown as tf.Tensor2D, ints)).toThrow(
      'matmul2d: a must be a tf.Tensor, got object',
    );
    ints.dispose();
  });
});
