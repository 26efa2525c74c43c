import * as tf from '@tensorflow/tfjs';
import { maskedMeanUnchecked } from './masked-mean';
import { maskedVarUnchecked } from './masked-var';
import { assertMaskedStatisticInputs, floatMask } from './validate';

/** Added to the variance before the square root so a constant input does not divide by zero (TRL's value). */
export const WHITEN_EPSILON = 1e-8;

/** The formula without checks; `mask` float32, same shape, sum above 1. */
export function maskedWhitenUnchecked(values: tf.Tensor, mask: tf.Tensor, shiftMean = true): tf.Tensor {
  return tf.tidy(() => {
    const mean = maskedMeanUnchecked(values, mask);
    const variance = maskedVarUnchecked(values, mask, true);
    const whitened = tf.mul(tf.sub(values, mean), tf.rsqrt(tf.add(variance, WHITEN_EPSILON)));
    return shiftMean ? whitened : tf.add(whitened, mean);
  });
}

const NEEDS_TWO =
  'whitening uses the unbiased variance and needs at least 2 selected values; use a larger (mini-)batch.';

/**
 * Normalises `values` with the masked mean and unbiased masked variance (TRL `masked_whiten`):
 *
 *     white = (values - mu) / sqrt(var + 1e-8)
 *     white += mu        when shiftMean is false (scale only, keep the mean)
 *
 * Every position is transformed, masked or not; only the statistics ignore masked positions.
 * Reads the mask sum (a data sync): needs at least 2 selected values.
 */
export function maskedWhiten(values: tf.Tensor, mask: tf.Tensor, shiftMean = true): tf.Tensor {
  assertMaskedStatisticInputs('maskedWhiten', values, mask, 1, NEEDS_TWO);
  return tf.tidy(() => maskedWhitenUnchecked(values, floatMask(mask), shiftMean));
}
