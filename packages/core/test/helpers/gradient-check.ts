import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** Knobs of {@link expectGradientsMatchNumerical}; defaults suit float32 ops on O(1) inputs. */
export interface GradientCheckOptions {
  /** Central-difference step. Large enough that float32 rounding stays well below the truncation error. */
  epsilon?: number;
  /** Absolute tolerance per element. */
  atol?: number;
  /** Relative tolerance per element (relative to the numerical gradient). */
  rtol?: number;
}

/** Deterministic pseudo-random weights in [-1, 1) (an LCG), so every run projects outputs the same way. */
function projectionWeights(size: number, seed: number): Float32Array {
  const weights = new Float32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    weights[i] = state / 2 ** 31 - 1;
  }
  return weights;
}

/**
 * Checks tf.grads of `f` against central differences, for every input. `f` may return any
 * shape: it is reduced to a scalar by a fixed random projection, so every output element's
 * gradient path is exercised with a different weight. Integer arguments belong in `f`'s closure.
 */
export function expectGradientsMatchNumerical(
  f: (...inputs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  options: GradientCheckOptions = {},
): void {
  const { epsilon = 1e-2, atol = 1e-3, rtol = 1e-2 } = options;
  const loss = (...xs: tf.Tensor[]): tf.Scalar => {
    const y = f(...xs);
    const weights = tf.tensor(projectionWeights(y.size, 12345), y.shape);
    return tf.sum(tf.mul(y, weights));
  };
  const analytic = tf.tidy(() =>
    tf
      .grads(loss)(inputs)
      .map((g) => g.dataSync().slice()),
  );

  inputs.forEach((input, index) => {
    const base = input.dataSync().slice() as Float32Array;
    const evaluate = (values: Float32Array): number =>
      tf.tidy(() => {
        const args = inputs.slice();
        args[index] = tf.tensor(values, input.shape, 'float32');
        return loss(...args).dataSync()[0]!;
      });
    const numerical = new Float32Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const shifted = base.slice();
      shifted[i] = base[i]! + epsilon;
      const plus = evaluate(shifted);
      shifted[i] = base[i]! - epsilon;
      const minus = evaluate(shifted);
      numerical[i] = (plus - minus) / (2 * epsilon);
    }
    const got = analytic[index]!;
    expect(got.length, `gradient size of input ${index}`).toBe(numerical.length);
    let worst = 0;
    let worstAt = -1;
    for (let i = 0; i < numerical.length; i++) {
      const excess = Math.abs(got[i]! - numerical[i]!) - (atol + rtol * Math.abs(numerical[i]!));
      if (excess > worst) {
        worst = excess;
        worstAt = i;
      }
    }
    const detail =
      worstAt < 0
        ? ''
        : `input ${index} element ${worstAt}: analytic ${got[worstAt]} vs numerical ${numerical[worstAt]}`;
    expect(worst, detail).toBe(0);
  });
}
