import * as tf from '@tensorflow/tfjs';
import { matmul2d } from './matmul2d';
import { addBias } from './sum-rows';
import { check, checkDtype, checkRank, checkTensor, formatShape } from './validate';

/**
 * Affine map over the last axis: `x @ weight + bias` for `x [..., in]`, giving `[..., out]`.
 *
 * `weight` is `[in, out]`, the layout of GPT-2's Conv1D checkpoints, so Hugging Face weights load
 * without transposing. Leading axes are flattened so the product is a single 2-D {@link matmul2d},
 * the fast path on wasm.
 */
export function linear(x: tf.Tensor, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  checkTensor(x, 'linear', 'x');
  checkTensor(weight, 'linear', 'weight');
  checkRank(weight, 2, 'linear', 'weight', '[in, out]');
  checkDtype(x, 'float32', 'linear', 'x');
  checkDtype(weight, 'float32', 'linear', 'weight');
  const [inFeatures, outFeatures] = weight.shape;
  check(x.rank >= 1, 'linear', () => `x must have a feature axis [..., in], got a scalar`);
  check(
    x.shape[x.rank - 1] === inFeatures,
    'linear',
    () =>
      `x's last axis (${x.shape[x.rank - 1]}) must equal weight's input size ${inFeatures}: ` +
      `x is ${formatShape(x.shape)}, weight is ${formatShape(weight.shape)} [in, out]`,
  );
  if (bias !== undefined) {
    checkTensor(bias, 'linear', 'bias');
    checkDtype(bias, 'float32', 'linear', 'bias');
    check(
      bias.rank === 1 && bias.shape[0] === outFeatures,
      'linear',
      () => `bias must be 1-D [${outFeatures}] (weight's output size), got shape ${formatShape(bias.shape)}`,
    );
  }
  return tf.tidy(() => {
    const rows = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, inFeatures]);
    const product = matmul2d(rows as tf.Tensor2D, weight);
    const shifted = bias === undefined ? product : addBias(product, bias);
    return x.rank === 2 ? shifted : tf.reshape(shifted, [...x.shape.slice(0, -1), outFeatures]);
  });
}
