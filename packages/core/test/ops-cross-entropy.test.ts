import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type CrossEntropyReduction, crossEntropy } from '../src/ops/index';
import { describeEachBackend } from './helpers/backends';
import { expectGradientsMatchNumerical } from './helpers/gradient-check';
import { expectNoTensorLeak, expectTensorClose, randomTensor } from './helpers/tensors';

// Row [0, 0, 0] with label 1: ln 3. Row [1, 2, 3] with label 2: logsumexp − 3 = ln(1 + e⁻¹ + e⁻²).
const LN3 = Math.log(3);
const ROW2 = Math.log(1 + Math.exp(-1) + Math.exp(-2));

describeEachBackend('crossEntropy', () => {
  const logitValues = [
    [0, 0, 0],
    [1, 2, 3],
  ];

  it('matches hand values for every reduction', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d(logitValues);
      const labels = tf.tensor1d([1, 2], 'int32');
      expectTensorClose(crossEntropy(logits, labels), [(LN3 + ROW2) / 2]);
      expectTensorClose(crossEntropy(logits, labels, { reduction: 'sum' }), [LN3 + ROW2]);
      expectTensorClose(crossEntropy(logits, labels, { reduction: 'none' }), [LN3, ROW2]);
    });
  });

  it('skips -100 labels: the mean divides by kept positions only', () => {
    tf.tidy(() => {
      const logits = tf.tensor3d([logitValues]);
      const labels = tf.tensor2d([[1, -100]], [1, 2], 'int32');
      expectTensorClose(crossEntropy(logits, labels), [LN3]);
      const perPosition = crossEntropy(logits, labels, { reduction: 'none' });
      expect(perPosition.shape).toEqual([1, 2]);
      expectTensorClose(perPosition, [LN3, 0]);
    });
  });

  it('honours a custom ignoreIndex', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d(logitValues);
      expectTensorClose(crossEntropy(logits, tf.tensor1d([1, 0], 'int32'), { ignoreIndex: 0 }), [LN3]);
    });
  });

  it('returns 0, not NaN, when every position is ignored', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d(logitValues);
      const labels = tf.tensor1d([-100, -100], 'int32');
      for (const reduction of ['mean', 'sum'] as CrossEntropyReduction[]) {
        expectTensorClose(crossEntropy(logits, labels, { reduction }), [0]);
      }
      const [grad] = tf.grads((z: tf.Tensor) => crossEntropy(z, labels))([logits]);
      expectTensorClose(grad!, [0, 0, 0, 0, 0, 0]);
    });
  });

  it('stays finite for large logits', () => {
    tf.tidy(() => {
      const loss = crossEntropy(tf.tensor2d([[1000, 0]]), tf.tensor1d([1], 'int32'));
      expectTensorClose(loss, [1000], 1e-3);
    });
  });

  it('has gradient (softmax − onehot) / kept positions', () => {
    tf.tidy(() => {
      const labels = tf.tensor1d([1, -100], 'int32');
      const [grad] = tf.grads((z: tf.Tensor) => crossEntropy(z, labels))([tf.tensor2d(logitValues)]);
      // Only row 0 counts, and the mean divides by 1.
      expectTensorClose(grad!, [1 / 3, -2 / 3, 1 / 3, 0, 0, 0], 1e-6);
    });
  });

  it('matches central differences with ignored positions, for every reduction', () => {
    const logits = randomTensor([2, 3, 4], 61);
    const labels = tf.tensor2d(
      [
        [3, -100, 0],
        [1, 2, -100],
      ],
      [2, 3],
      'int32',
    );
    for (const reduction of ['mean', 'sum', 'none'] as CrossEntropyReduction[]) {
      expectGradientsMatchNumerical((z) => crossEntropy(z, labels, { reduction }), [logits]);
    }
    tf.dispose([logits, labels]);
  });

  it('does not leak tensors across forward + gradient steps', () => {
    const logits = randomTensor([4, 5], 62);
    const labels = tf.tensor1d([0, 4, -100, 2], 'int32');
    expectNoTensorLeak(() =>
      tf.tidy(() => {
        tf.grads((z: tf.Tensor) => crossEntropy(z, labels))([logits]);
      }),
    );
    tf.dispose([logits, labels]);
  });
});

describe('crossEntropy input validation', () => {
  it('rejects float labels and labels whose shape does not match the logits', () => {
    const logits = tf.ones([2, 3, 4]);
    const floats = tf.zeros([2, 3]);
    const wrongShape = tf.zeros([2, 4], 'int32');
    expect(() => crossEntropy(logits, floats)).toThrow(
      'crossEntropy: labels must have dtype int32, got float32',
    );
    expect(() => crossEntropy(logits, wrongShape)).toThrow(
      'crossEntropy: labels must have shape [2, 3] (logits without vocab), got [2, 4]',
    );
    tf.dispose([logits, floats, wrongShape]);
  });

  it('rejects labels outside the vocabulary and logits of the wrong rank', () => {
    const logits = tf.ones([2, 4]);
    const labels = tf.tensor1d([1, 4], 'int32');
    const vector = tf.ones([4]);
    expect(() => crossEntropy(logits, labels)).toThrow(
      'crossEntropy: labels must lie in [0, 4) or equal ignoreIndex (-100), got 4 at flat position 1',
    );
    expect(() => crossEntropy(vector, labels)).toThrow(
      'crossEntropy: logits must be [n, vocab] or [batch, seq, vocab], got shape [4]',
    );
    tf.dispose([logits, labels, vector]);
  });

  it('rejects an unknown reduction', () => {
    const logits = tf.ones([1, 2]);
    const labels = tf.tensor1d([0], 'int32');
    expect(() => crossEntropy(logits, labels, { reduction: 'avg' as CrossEntropyReduction })).toThrow(
      "crossEntropy: reduction must be 'mean', 'sum' or 'none', got 'avg'",
    );
    tf.dispose([logits, labels]);
  });
});
