import { tf } from '@trl/core';

/** The reward-model loss and its diagnostics, as scalars. */
export interface PairwiseLoss {
  /** −mean(logσ(r_c − r_r − margin)) + coefficient · mean((r_c + r_r)²). */
  loss: tf.Scalar;
  /** Fraction of pairs with r_chosen > r_rejected. */
  accuracy: tf.Scalar;
  /** Mean of r_chosen − r_rejected. */
  margin: tf.Scalar;
}

/**
 * TRL's reward loss (Bradley–Terry with an optional margin, as in Llama 2) plus the optional
 * centring term. `chosen`, `rejected` and `margins` are `[n]`.
 */
export function pairwiseRewardLoss(
  chosen: tf.Tensor1D,
  rejected: tf.Tensor1D,
  margins: tf.Tensor1D,
  centerRewardsCoefficient?: number,
): PairwiseLoss {
  return tf.tidy(() => {
    const difference = tf.sub(chosen, rejected);
    let loss = tf.neg(tf.mean(logSigmoid(tf.sub(difference, margins))));
    if (centerRewardsCoefficient !== undefined && centerRewardsCoefficient > 0) {
      loss = tf.add(loss, tf.mul(centerRewardsCoefficient, tf.mean(tf.square(tf.add(chosen, rejected)))));
    }
    return {
      loss: loss as tf.Scalar,
      accuracy: tf.mean(tf.cast(tf.greater(chosen, rejected), 'float32')) as tf.Scalar,
      margin: tf.mean(difference) as tf.Scalar,
    };
  });
}

/**
 * Numerically stable log σ(x) = −(max(−x, 0) + log1p(exp(−|x|))), built from ops whose gradients
 * every backend has (tf.logSigmoid's custom gradient read a disposed tensor on wasm here).
 */
function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.add(tf.relu(tf.neg(x)), tf.log1p(tf.exp(tf.neg(tf.abs(x))))));
}
