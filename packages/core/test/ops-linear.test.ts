import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { linear } from '../src/ops/index';
import { describeEachBackend } from './helpers/backends';
import { expectGradientsMatchNumerical } from './helpers/gradient-check';
import { expectNoTensorLeak, expectTensorClose, randomTensor } from './helpers/tensors';

describeEachBackend('linear', () => {
  const weightValues = [
    [1, 0, 1],
    [0, 1, 1],
  ];

  it('computes x @ weight + bias with weight laid out [in, out]', () => {
    tf.tidy(() => {
      const x = tf.tensor2d([
        [1, 2],
        [3, 4],
      ]);
      const y = linear(x, tf.tensor2d(weightValues), tf.tensor1d([0.5, -1, 0]));
      // Rows: [1, 2, 1 + 2] + bias and [3, 4, 3 + 4] + bias.
      expect(y.shape).toEqual([2, 3]);
      expectTensorClose(y, [1.5, 1, 3, 3.5, 3, 7]);
    });
  });

  it('keeps leading axes of a rank-3 input and works without bias', () => {
    tf.tidy(() => {
      const x = tf.tensor3d([[[1, 2]], [[3, 4]]]);
      const y = linear(x, tf.tensor2d(weightValues));
      expect(y.shape).toEqual([2, 1, 3]);
      expectTensorClose(y, [1, 2, 3, 3, 4, 7]);
    });
  });

  it('matches central differences in x, weight and bias', () => {
    const x = randomTensor([2, 2, 3], 11);
    const weight = randomTensor([3, 4], 12);
    const bias = randomTensor([4], 13);
    expectGradientsMatchNumerical(
      (a, w, b) => linear(a, w as tf.Tensor2D, b as tf.Tensor1D),
      [x, weight, bias],
    );
    tf.dispose([x, weight, bias]);
  });

  it('does not leak tensors across forward + gradient steps', () => {
    const x = randomTensor([2, 3, 4], 14);
    const weight = randomTensor([4, 5], 15) as tf.Tensor2D;
    const bias = randomTensor([5], 16) as tf.Tensor1D;
    expectNoTensorLeak(() =>
      tf.tidy(() => {
        tf.grads((w: tf.Tensor, b: tf.Tensor) => linear(x, w as tf.Tensor2D, b as tf.Tensor1D).sum())([
          weight,
          bias,
        ]);
      }),
    );
    tf.dispose([x, weight, bias]);
  });
});

describe('linear input validation', () => {
  it('names weight when it is not 2-D', () => {
    const x = tf.ones([2, 3]);
    const weight = tf.ones([3]);
    expect(() => linear(x, weight as tf.Tensor2D)).toThrow(
      'linear: weight must be 2-D [in, out], got shape [3]',
    );
    tf.dispose([x, weight]);
  });

  it("reports x's feature size not matching weight's input size", () => {
    const x = tf.ones([2, 4]);
    const weight = tf.ones([3, 5]) as tf.Tensor2D;
    expect(() => linear(x, weight)).toThrow(
      "linear: x's last axis (4) must equal weight's input size 3: x is [2, 4], weight is [3, 5] [in, out]",
    );
    tf.dispose([x, weight]);
  });

  it('rejects a bias of the wrong length and an int32 input', () => {
    const x = tf.ones([2, 3]);
    const weight = tf.ones([3, 5]) as tf.Tensor2D;
    const bias = tf.ones([3]) as tf.Tensor1D;
    const ints = tf.ones([2, 3], 'int32');
    expect(() => linear(x, weight, bias)).toThrow('linear: bias must be 1-D [5]');
    expect(() => linear(ints, weight)).toThrow('linear: x must have dtype float32, got int32');
    tf.dispose([x, weight, bias, ints]);
  });
});
