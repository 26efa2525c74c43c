import * as tf from '@tensorflow/tfjs';

/**
 * NaN-aware reductions with torch's semantics (`torch.nanmean`, `torch.nansum`, TRL `nanstd`), for
 * rewards where NaN marks "this reward function did not score this completion". No gradients needed.
 * Every function returns a new tensor the caller owns.
 */

/** 1 where `x` is a number, 0 where it is NaN. */
function present(x: tf.Tensor): tf.Tensor {
  return tf.cast(tf.logicalNot(tf.isNaN(x)), 'float32');
}

/** `x` with NaN replaced by 0. */
export function nanToZero(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.where(tf.isNaN(x), tf.zerosLike(x), x));
}

/** Sum ignoring NaN (an all-NaN slice sums to 0, as `torch.nansum`). */
export function nanSum(x: tf.Tensor, axis?: number, keepDims = false): tf.Tensor {
  return tf.tidy(() => tf.sum(nanToZero(x), axis, keepDims));
}

/** Mean over the non-NaN entries; NaN for an all-NaN slice (as `torch.nanmean`). */
export function nanMean(x: tf.Tensor, axis?: number, keepDims = false): tf.Tensor {
  return tf.tidy(() => tf.div(nanSum(x, axis, keepDims), tf.sum(present(x), axis, keepDims)));
}

/**
 * Unbiased standard deviation over the non-NaN entries (TRL `nanstd`):
 *
 *     var = nanmean((x - nanmean(x))^2) * n / (n - 1)      n = non-NaN count; NaN when n <= 1
 */
export function nanStd(x: tf.Tensor, axis?: number, keepDims = false): tf.Tensor {
  return tf.tidy(() => {
    const mean = nanMean(x, axis, true);
    const variance = nanMean(tf.square(tf.sub(x, mean)), axis, keepDims);
    const count = tf.sum(present(x), axis, keepDims);
    const correction = tf.where(
      tf.greater(count, 1),
      tf.div(count, tf.sub(count, 1)),
      tf.fill(count.shape, Number.NaN),
    );
    return tf.sqrt(tf.mul(variance, correction));
  });
}

/** Smallest non-NaN entry of all of `x`; NaN when every entry is NaN (TRL `nanmin`). */
export function nanMin(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const filled = tf.where(tf.isNaN(x), tf.fill(x.shape, Number.POSITIVE_INFINITY), x);
    return tf.where(tf.equal(tf.sum(present(x)), 0), tf.scalar(Number.NaN), tf.min(filled)) as tf.Scalar;
  });
}

/** Largest non-NaN entry of all of `x`; NaN when every entry is NaN (TRL `nanmax`). */
export function nanMax(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(nanMin(tf.neg(x))) as tf.Scalar);
}
