import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { embedding } from '../src/ops/index';
import { describeEachBackend } from './helpers/backends';
import { expectGradientsMatchNumerical } from './helpers/gradient-check';
import { expectNoTensorLeak, expectTensorClose, randomTensor } from './helpers/tensors';

describeEachBackend('embedding', () => {
  const tableValues = [
    [0, 1],
    [2, 3],
    [4, 5],
  ];

  it('looks up rows for ids of any shape', () => {
    tf.tidy(() => {
      const table = tf.tensor2d(tableValues);
      const ids = tf.tensor2d(
        [
          [2, 0],
          [2, 1],
        ],
        [2, 2],
        'int32',
      );
      const rows = embedding(ids, table);
      expect(rows.shape).toEqual([2, 2, 2]);
      expectTensorClose(rows, [4, 5, 0, 1, 4, 5, 2, 3]);
      expect(embedding(tf.tensor1d([1], 'int32'), table).shape).toEqual([1, 2]);
    });
  });

  it('accumulates the gradient of repeated ids and leaves unused rows at zero', () => {
    tf.tidy(() => {
      const ids = tf.tensor1d([2, 0, 2, 2], 'int32');
      const upstream = tf.tensor2d([
        [1, 10],
        [2, 20],
        [3, 30],
        [4, 40],
      ]);
      const [grad] = tf.grads((table: tf.Tensor) =>
        tf.sum(tf.mul(embedding(ids, table as tf.Tensor2D), upstream)),
      )([tf.zeros([4, 2])]);
      // Row 0 gets position 1; row 2 gets positions 0, 2 and 3; rows 1 and 3 are unused.
      expectTensorClose(grad!, [2, 20, 0, 0, 8, 80, 0, 0]);
    });
  });

  it('matches central differences in the table', () => {
    const ids = tf.tensor2d(
      [
        [0, 3, 3],
        [1, 0, 4],
      ],
      [2, 3],
      'int32',
    );
    const table = randomTensor([5, 3], 21);
    expectGradientsMatchNumerical((t) => embedding(ids, t as tf.Tensor2D), [table]);
    tf.dispose([ids, table]);
  });

  it('does not leak tensors across forward + gradient steps', () => {
    const ids = tf.tensor2d([[0, 1, 1]], [1, 3], 'int32');
    const table = randomTensor([4, 2], 22);
    expectNoTensorLeak(() =>
      tf.tidy(() => {
        tf.grads((t: tf.Tensor) => embedding(ids, t as tf.Tensor2D).sum())([table]);
      }),
    );
    tf.dispose([ids, table]);
  });
});

describe('embedding input validation', () => {
  it('rejects float ids, naming the conversion', () => {
    const ids = tf.tensor1d([0, 1]);
    const table = tf.ones([3, 2]) as tf.Tensor2D;
    expect(() => embedding(ids, table)).toThrow(
      "embedding: ids must have dtype int32, got float32 (convert with tf.cast(ids, 'int32'))",
    );
    tf.dispose([ids, table]);
  });

  it('rejects ids outside the vocabulary before wasm can read out of bounds', () => {
    const ids = tf.tensor1d([0, 3], 'int32');
    const negative = tf.tensor1d([-1], 'int32');
    const table = tf.ones([3, 2]) as tf.Tensor2D;
    expect(() => embedding(ids, table)).toThrow(
      'embedding: ids must lie in [0, 3) for a table of shape [3, 2], got 3 at flat position 1',
    );
    expect(() => embedding(negative, table)).toThrow('got -1 at flat position 0');
    tf.dispose([ids, negative, table]);
  });

  it('names a table that is not 2-D', () => {
    const ids = tf.tensor1d([0], 'int32');
    const table = tf.ones([3]);
    expect(() => embedding(ids, table as tf.Tensor2D)).toThrow(
      'embedding: table must be 2-D [vocab, d], got shape [3]',
    );
    tf.dispose([ids, table]);
  });
});
