import * as tf from '@tensorflow/tfjs';
import { assertTensor } from './validate';

/**
 * Entropy of the categorical distribution at each position (TRL `entropy_from_logits`):
 *
 *     H[b, t] = logsumexp_v logits[b, t, v] - sum_v softmax(logits)[b, t, v] * logits[b, t, v]
 *
 * Equal to `-sum p log p`, written so it never takes the log of a probability that underflowed to 0.
 *
 * @param logits float32 `[batch, steps, vocab]`.
 * @returns float32 `[batch, steps]`.
 */
export function entropyFromLogits(logits: tf.Tensor3D): tf.Tensor2D {
  assertTensor('entropyFromLogits', 'logits', logits, { dtypes: ['float32'], rank: 3 });
  return tf.tidy(() => {
    const probs = tf.softmax(logits, -1);
    return tf.sub(tf.logSumExp(logits, -1), tf.sum(tf.mul(probs, logits), -1)) as tf.Tensor2D;
  });
}
