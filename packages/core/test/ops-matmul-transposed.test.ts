import * as tf from '@tensorflow/tfjs';
import { afterEach, expect, it } from 'vitest';
import { registerCapability } from '../src/accel/capabilities';
import { matmulTransposedB } from '../src/ops/index';
import { describeEachBackend } from './helpers/backends';

let unregister: (() => void) | undefined;

afterEach(() => {
  unregister?.();
  unregister = undefined;
});

describeEachBackend('matmulTransposedB', () => {
  for (const fast of [false, true]) {
    it(`equals a @ bᵀ with the gradients of the explicit form (fast transposed products ${fast ? 'claimed' : 'not claimed'})`, () => {
      // Claimed for every backend, so the transpose-flag path runs on each one under test.
      if (fast)
        unregister = registerCapability('transposedMatMul', { name: 'test', supportsBackend: () => true });
      const a = tf.tensor2d([1, -2, 0.5, 3, 0, -1], [2, 3]);
      const b = tf.tensor2d([0.25, 1, -1, 2, -0.5, 0.75, 1.5, 0, 1, -2, 0.5, 0.5], [4, 3]);
      const loss = (x: tf.Tensor2D, y: tf.Tensor2D) =>
        tf.sum(tf.mul(matmulTransposedB(x, y), tf.tensor2d([1, 2, 3, 4, -1, -2, -3, -4], [2, 4])));
      const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => loss(x as tf.Tensor2D, y as tf.Tensor2D))([
        a,
        b,
      ]);
      const expected = tf.matMul(a, b, false, true);
      expect(Array.from(matmulTransposedB(a, b).dataSync())).toEqual(Array.from(expected.dataSync()));
      // d/da sum(W ⊙ a bᵀ) = W b, d/db = Wᵀ a, with W the weights above.
      const w = tf.tensor2d([1, 2, 3, 4, -1, -2, -3, -4], [2, 4]);
      const wantDa = tf.matMul(w, b).dataSync();
      const wantDb = tf.matMul(w, a, true, false).dataSync();
      for (const [i, v] of Array.from(da!.dataSync()).entries()) expect(v).toBeCloseTo(wantDa[i]!, 5);
      for (const [i, v] of Array.from(db!.dataSync()).entries()) expect(v).toBeCloseTo(wantDb[i]!, 5);
      tf.dispose([a, b, da!, db!, expected, w]);
    });
  }

  it('names the mismatched axis', () => {
    const a = tf.zeros([2, 3]) as tf.Tensor2D;
    const b = tf.zeros([4, 2]) as tf.Tensor2D;
    expect(() => matmulTransposedB(a, b)).toThrow(/same last axis k/);
    tf.dispose([a, b]);
  });
});
