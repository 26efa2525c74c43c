import * as tf from '@tensorflow/tfjs';
import { customGradient } from './custom-gradient';
import { sumRows } from './sum-rows';
import { check, checkDtype, checkTensor, formatShape } from './validate';

/** Sums `[..., d]` over every axis but the last, giving `[d]` (the gradient of a broadcast `[d]`). */
function sumToLastAxis(t: tf.Tensor, width: number): tf.Tensor1D {
  return sumRows(tf.reshape(t, [-1, width]) as tf.Tensor2D);
}

const layerNormOp = (epsilon: number) =>
  customGradient<[tf.Tensor, tf.Tensor1D, tf.Tensor1D], tf.Tensor>(([x, gamma, beta], save) => {
    const axis = x.rank - 1;
    const { mean, variance } = tf.moments(x, axis, true);
    const inverseStd = tf.rsqrt(tf.add(variance, epsilon));
    const normalized = tf.mul(tf.sub(x, mean), inverseStd);
    save([normalized, inverseStd, gamma]);
    return {
      value: tf.add(tf.mul(normalized, gamma), beta),
      gradFunc: (dy, [xHat, invStd, scale]) => {
        const width = gamma.shape[0];
        // With g = dy·γ: dx = σ⁻¹ (g − mean(g) − x̂ · mean(g·x̂)), written out once instead of
        // letting autodiff differentiate mean, variance and rsqrt separately (about half the kernels).
        const g = tf.mul(dy, scale!);
        const meanG = tf.mean(g, axis, true);
        const meanGxHat = tf.mean(tf.mul(g, xHat!), axis, true);
        const dx = tf.mul(invStd!, tf.sub(tf.sub(g, meanG), tf.mul(xHat!, meanGxHat)));
        return [dx, sumToLastAxis(tf.mul(dy, xHat!), width), sumToLastAxis(dy, width)];
      },
    };
  });

/**
 * Layer normalisation over the last axis: `(x − mean) / sqrt(var + ε) · γ + β`, with the biased
 * variance (divided by d, as PyTorch's LayerNorm). `x [..., d]`, `gamma [d]`, `beta [d]`.
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon = 1e-5): tf.Tensor {
  checkTensor(x, 'layerNorm', 'x');
  checkTensor(gamma, 'layerNorm', 'gamma');
  checkTensor(beta, 'layerNorm', 'beta');
  checkDtype(x, 'float32', 'layerNorm', 'x');
  checkDtype(gamma, 'float32', 'layerNorm', 'gamma');
  checkDtype(beta, 'float32', 'layerNorm', 'beta');
  check(x.rank >= 1, 'layerNorm', () => 'x must have a feature axis [..., d], got a scalar');
  const width = x.shape[x.rank - 1]!;
  for (const [name, param] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const) {
    check(
      param.rank === 1 && param.shape[0] === width,
      'layerNorm',
      () =>
        `${name} must be 1-D [${width}] to match x's last axis, got shape ${formatShape(param.shape)} ` +
        `(x is ${formatShape(x.shape)})`,
    );
  }
  check(epsilon > 0, 'layerNorm', () => `epsilon must be positive, got ${epsilon}`);
  return layerNormOp(epsilon)(x, gamma, beta);
}
