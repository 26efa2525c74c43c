import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';
import { assertSameShape, assertTensor } from './validate';

/** The per-token KL estimators TRL's `PPOConfig.kl_penalty` offers. */
export type KLPenaltyKind = 'kl' | 'abs' | 'mse' | 'full';

/** Every accepted {@link KLPenaltyKind}, for validation and config schemas. */
export const KL_PENALTY_KINDS: readonly KLPenaltyKind[] = ['kl', 'abs', 'mse', 'full'];

const FN = 'klPenalty';

/**
 * Per-token KL penalty between the policy and the reference model (TRL `PPOTrainer._kl_penalty`),
 * with `d = logprob - refLogprob` the log-ratio of the sampled token:
 *
 *     'kl'   : d                                   (unbiased sample estimate, can be negative)
 *     'abs'  : |d|
 *     'mse'  : 0.5 * d^2
 *     'full' : sum_v p(v) * (log p(v) - log p_ref(v))   over the whole vocabulary, p = softmax(logits)
 *
 * For `'full'`, pass `logits` and `refLogits` (`[batch, steps, vocab]`), or pass the full log-softmax
 * distributions `[batch, steps, vocab]` as `logprob` and `refLogprob` (TRL's convention).
 *
 * @param logprob policy log-prob of each sampled token, float32 `[batch, steps]`.
 * @param refLogprob reference log-prob of the same tokens, same shape.
 * @returns float32 `[batch, steps]`.
 */
export function klPenalty(
  logprob: tf.Tensor,
  refLogprob: tf.Tensor,
  kind: KLPenaltyKind = 'kl',
  logits?: tf.Tensor3D,
  refLogits?: tf.Tensor3D,
): tf.Tensor {
  assertTensor(FN, 'logprob', logprob, { dtypes: ['float32'] });
  assertTensor(FN, 'refLogprob', refLogprob, { dtypes: ['float32'] });
  assertSameShape(FN, 'refLogprob', refLogprob, 'logprob', logprob);
  if (!KL_PENALTY_KINDS.includes(kind)) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`kind\` must be one of ${KL_PENALTY_KINDS.join(', ')}, got ${String(kind)}.`,
    );
  }
  if (kind !== 'full') {
    return tf.tidy(() => {
      const logRatio = tf.sub(logprob, refLogprob);
      if (kind === 'kl') return logRatio;
      if (kind === 'abs') return tf.abs(logRatio);
      return tf.mul(0.5, tf.square(logRatio));
    });
  }
  if (logits !== undefined || refLogits !== undefined) {
    assertTensor(FN, 'logits', logits, { dtypes: ['float32'], rank: 3 });
    assertTensor(FN, 'refLogits', refLogits, { dtypes: ['float32'], rank: 3 });
    assertSameShape(FN, 'refLogits', refLogits, 'logits', logits);
    if (logprob.rank !== 2 || logprob.shape[0] !== logits.shape[0] || logprob.shape[1] !== logits.shape[1]) {
      throw new TrlError(
        'invalid-argument',
        `${FN}: \`logprob\` has shape [${logprob.shape.join(', ')}] but \`logits\` has shape ` +
          `[${logits.shape.join(', ')}]; logprob must be [batch, steps] of the logits.`,
      );
    }
    return tf.tidy(() => fullKl(tf.logSoftmax(logits, -1), tf.logSoftmax(refLogits, -1)));
  }
  if (logprob.rank !== 3) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: kind 'full' needs whole distributions: pass \`logits\` and \`refLogits\`, or full log-softmax ` +
        `[batch, steps, vocab] tensors as \`logprob\`/\`refLogprob\` (got rank ${logprob.rank}).`,
    );
  }
  return tf.tidy(() => fullKl(logprob, refLogprob));
}

/** KL(p || p_ref) per position from full log-probabilities over the last axis. */
function fullKl(fullLogprob: tf.Tensor, fullRefLogprob: tf.Tensor): tf.Tensor {
  return tf.sum(tf.mul(tf.exp(fullLogprob), tf.sub(fullLogprob, fullRefLogprob)), -1);
}
