import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** A reproducible float32 tensor of standard-normal values. */
export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale));
}

/** Asserts `actual` has `expected`'s shape and values within `tolerance` (absolute), elementwise. */
export function expectTensorClose(
  actual: tf.Tensor,
  expected: tf.Tensor | number[] | Float32Array,
  tolerance = 1e-5,
): void {
  const expectedValues = expected instanceof tf.Tensor ? expected.dataSync() : expected;
  if (expected instanceof tf.Tensor) expect(actual.shape).toEqual(expected.shape);
  const values = actual.dataSync();
  expect(values.length).toBe(expectedValues.length);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < values.length; i++) {
    const raw = Math.abs(values[i]! - Number(expectedValues[i]));
    // NaN must fail the check, and must not be forgotten when a later element differs less.
    const difference = Number.isNaN(raw) ? Number.POSITIVE_INFINITY : raw;
    if (difference > worst) {
      worst = difference;
      worstAt = i;
    }
  }
  const detail = worstAt < 0 ? '' : `element ${worstAt}: ${values[worstAt]} vs ${expectedValues[worstAt]}`;
  expect(worst, detail).toBeLessThanOrEqual(tolerance);
}

/**
 * Runs `step` once to warm caches, then `repeats` more times, asserting that the number of live
 * tensors does not grow: every tensor `step` creates is disposed or tidied.
 */
export function expectNoTensorLeak(step: () => void, repeats = 3): void {
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < repeats; i++) step();
  expect(tf.memory().numTensors).toBe(before);
}
