import * as tf from '@tensorflow/tfjs';
import { maskedMeanUnchecked } from './masked-mean';
import { assertMaskedStatisticInputs, floatMask } from './validate';

/** The formula without checks; `mask` float32, same shape, sum above 1 (unbiased) or 0. */
export function maskedVarUnchecked(values: tf.Tensor, mask: tf.Tensor, unbiased = true): tf.Scalar {
  return tf.tidy(() => {
    const mean = maskedMeanUnchecked(values, mask);
    const variance = maskedMeanUnchecked(tf.square(tf.sub(values, mean)), mask);
    if (!unbiased) return variance as tf.Scalar;
    const count = tf.sum(mask);
    return tf.mul(variance, tf.div(count, tf.sub(count, 1))) as tf.Scalar;
  });
}

const UNBIASED_NEEDS_TWO =
  'the unbiased variance divides by (n - 1) and needs at least 2 selected values. ' +
  'Use a larger (mini-)batch, or pass unbiased = false.';
const BIASED_NEEDS_ONE = 'a variance over nothing is undefined. Pass a mask that selects at least one value.';

/**
 * Variance over the positions where `mask` is 1 (TRL `masked_var`):
 *
 *     mu  = sum(values * mask) / sum(mask)
 *     var = sum((values - mu)^2 * mask) / sum(mask)
 *     var *= n / (n - 1)   with n = sum(mask), when `unbiased` (Bessel's correction)
 *
 * Reads the mask sum (a data sync): unbiased needs more than one selected value, biased at least one.
 *
 * @returns a float32 scalar.
 */
export function maskedVar(values: tf.Tensor, mask: tf.Tensor, unbiased = true): tf.Scalar {
  if (unbiased) assertMaskedStatisticInputs('maskedVar', values, mask, 1, UNBIASED_NEEDS_TWO);
  else assertMaskedStatisticInputs('maskedVar', values, mask, 0, BIASED_NEEDS_ONE);
  return tf.tidy(() => maskedVarUnchecked(values, floatMask(mask), unbiased));
}
