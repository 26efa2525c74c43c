import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';
import { assertSameShape, assertTensor, floatMask, MASK_DTYPES } from './validate';

const FN = 'maskedMean';

/**
 * The formula without checks, for callers that validated their mask once already.
 * `mask` must be float32 with the shape of `values`.
 */
export function maskedMeanUnchecked(values: tf.Tensor, mask: tf.Tensor, axis?: number): tf.Tensor {
  return tf.tidy(() => tf.div(tf.sum(tf.mul(values, mask), axis), tf.sum(mask, axis)));
}

/**
 * Mean over the positions where `mask` is 1 (TRL `masked_mean`):
 *
 *     mean = sum(values * mask) / sum(mask)            (over everything, or along `axis`)
 *
 * Reads the mask sums (a small data sync) to refuse an empty mask, which would give NaN.
 *
 * @param values float32 tensor.
 * @param mask same shape; float32, int32 or bool, 1 = counted.
 * @param axis reduce only this axis (one mean per remaining index); default: a scalar mean.
 */
export function maskedMean(values: tf.Tensor, mask: tf.Tensor, axis?: number): tf.Tensor {
  assertTensor(FN, 'values', values, { dtypes: ['float32'] });
  assertTensor(FN, 'mask', mask, { dtypes: MASK_DTYPES });
  assertSameShape(FN, 'mask', mask, 'values', values);
  if (axis !== undefined && (!Number.isInteger(axis) || axis < -values.rank || axis >= values.rank)) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`axis\` must be an integer in [${-values.rank}, ${values.rank}), got ${axis}.`,
    );
  }
  const counts = tf.tidy(() => tf.min(tf.sum(tf.cast(mask, 'float32'), axis)));
  const fewest = counts.dataSync()[0] ?? 0;
  counts.dispose();
  if (!(fewest > 0)) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`mask\` has no 1s${axis === undefined ? '' : ` in some slice along axis ${axis}`}; ` +
        'a masked mean over nothing is undefined. Pass a mask that selects at least one value.',
    );
  }
  return tf.tidy(() => maskedMeanUnchecked(values, floatMask(mask), axis));
}
