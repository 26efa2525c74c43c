import * as tf from '@tensorflow/tfjs';
import { customGradient } from './custom-gradient';

/**
 * Column sums of `t [rows, cols]` as `[cols]`, computed as `ones[1, rows] @ t`: a reduction over
 * the leading axis is a slow strided loop on wasm, while a one-row product is a fast GEMV.
 * Bias and norm-parameter gradients are exactly such sums.
 */
export function sumRows(t: tf.Tensor2D): tf.Tensor1D {
  const [rows, cols] = t.shape;
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, rows]), t), [cols]) as tf.Tensor1D);
}

/**
 * `x [rows, n] + bias [n]`, whose gradient sums `dy` over rows with {@link sumRows} instead of the
 * broadcast Add's generic reduction.
 */
export const addBias = customGradient<[tf.Tensor2D, tf.Tensor1D], tf.Tensor2D>(([x, bias]) => ({
  value: tf.add(x, bias),
  gradFunc: (dy) => [dy, sumRows(dy)],
}));
