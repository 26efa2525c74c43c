import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { clipGradNorm } from '../src/train/clip';
import { describeEachBackend } from './helpers/backends';

describeEachBackend('clipGradNorm', () => {
  it('scales every gradient by maxNorm/(norm + 1e-6) and returns the pre-clip norm', () => {
    // Global norm: sqrt(3² + 4² + 12²) = 13.
    const grads: Record<string, tf.Tensor> = { a: tf.tensor1d([3, 4]), b: tf.tensor2d([[0, 12]]) };
    const norm = clipGradNorm(grads, 1);
    expect(norm).toBeCloseTo(13, 5);
    const scale = 1 / (13 + 1e-6);
    const a = grads.a?.dataSync() as Float32Array;
    const b = grads.b?.dataSync() as Float32Array;
    expect(a[0]).toBeCloseTo(3 * scale, 6);
    expect(a[1]).toBeCloseTo(4 * scale, 6);
    expect(b[1]).toBeCloseTo(12 * scale, 6);
    expect(grads.b?.shape).toEqual([1, 2]);
    tf.dispose(Object.values(grads));
  });

  it('leaves gradients below the threshold untouched (same tensors) and works on Maps', () => {
    const original = tf.tensor1d([0.3, 0.4]);
    const grads = new Map([['w', original]]);
    expect(clipGradNorm(grads, 1)).toBeCloseTo(0.5, 6);
    expect(grads.get('w')).toBe(original);
    const big = new Map([['w', tf.tensor1d([30, 40])]]);
    expect(clipGradNorm(big, 5)).toBeCloseTo(50, 4);
    expect([...(big.get('w')?.dataSync() ?? [])].map((value) => Math.round(value * 1e4) / 1e4)).toEqual([
      3, 4,
    ]);
    tf.dispose([original, ...big.values()]);
  });

  it('does not leak: replaced gradients are disposed', () => {
    const grads: Record<string, tf.Tensor> = { a: tf.ones([4, 4]), b: tf.ones([3]) };
    const before = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) clipGradNorm(grads, 0.1);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(grads));
  });

  it('reports a non-finite norm without touching the gradients, or throws naming them', () => {
    const bad = tf.tensor1d([1, Number.NaN]);
    const grads: Record<string, tf.Tensor> = { good: tf.tensor1d([100]), bad };
    expect(clipGradNorm(grads, 1)).toBeNaN();
    expect(grads.bad).toBe(bad);
    expect(grads.good?.dataSync()[0]).toBe(100);
    expect(() => clipGradNorm(grads, 1, { errorIfNonfinite: true })).toThrow(/norm is NaN.*"bad"/);
    tf.dispose(Object.values(grads));
  });
});

it('clipGradNorm validates its arguments by name', () => {
  const grads = { w: tf.tensor1d([1]) };
  expect(() => clipGradNorm(grads, 0)).toThrow(/maxNorm/);
  expect(() => clipGradNorm(grads, Number.NaN)).toThrow(/maxNorm/);
  expect(() => clipGradNorm({ w: tf.tensor1d([1], 'int32') }, 1)).toThrow(/grads\["w"\].*float32/);
  expect(() => clipGradNorm(null as unknown as Record<string, tf.Tensor>, 1)).toThrow(/grads/);
  expect(clipGradNorm({}, 1)).toBe(0);
  tf.dispose(Object.values(grads));
});
