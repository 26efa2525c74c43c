import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';
import { KL_PENALTY_KINDS, type KLPenaltyKind, klPenalty } from './kl-penalty';
import { assertAllFinite, assertFiniteNumber, assertSameShape, assertTensor, MASK_DTYPES } from './validate';

const FN = 'computeRewards';

/** Per-token rewards for PPO; the caller owns (disposes) all three tensors. */
export interface ComputedRewards {
  /** KL penalty plus the score on each row's last response token, float32 `[batch, steps]`. */
  rewards: tf.Tensor2D;
  /** The KL part alone, `-klCoef * kls`, float32 `[batch, steps]`. */
  nonScoreRewards: tf.Tensor2D;
  /** The per-token KL penalty before scaling, float32 `[batch, steps]`. */
  kls: tf.Tensor2D;
}

/**
 * Turns one scalar score per sequence into per-token rewards (TRL `PPOTrainer.compute_rewards`):
 *
 *     kl[b, t]        = klPenalty(logprobs, refLogprobs, kind)[b, t]
 *     nonScore[b, t]  = -klCoef * kl[b, t]                          (every position, masked or not)
 *     reward[b, t]    = nonScore[b, t] + score[b] * [t == last t' with masks[b, t'] = 1]
 *
 * Masked positions keep their KL term, as in TRL; `computeAdvantages` multiplies rewards by the mask.
 * Reads `scores` and `masks` (a small data sync): NaN scores and rows without any 1 are errors.
 *
 * @param scores reward-model score per sequence, float32 `[batch]`.
 * @param logprobs policy log-prob of each response token, float32 `[batch, steps]`; for kind `'full'`
 *   the full log-softmax `[batch, steps, vocab]` (see `fullLogprobsFromLogits`).
 * @param refLogprobs the reference model's, same shape as `logprobs`.
 * @param masks 1 on response tokens, `[batch, steps]`, float32, int32 or bool.
 * @param klCoef the KL controller's current value (TRL `kl_ctl.value`).
 * @param kind KL estimator, TRL default `'kl'`.
 */
export function computeRewards(
  scores: tf.Tensor1D,
  logprobs: tf.Tensor,
  refLogprobs: tf.Tensor,
  masks: tf.Tensor2D,
  klCoef: number,
  kind: KLPenaltyKind = 'kl',
): ComputedRewards {
  assertTensor(FN, 'scores', scores, { dtypes: ['float32'], rank: 1 });
  assertTensor(FN, 'masks', masks, { dtypes: MASK_DTYPES, rank: 2 });
  if (!KL_PENALTY_KINDS.includes(kind)) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`kind\` must be one of ${KL_PENALTY_KINDS.join(', ')}, got ${String(kind)}.`,
    );
  }
  const expectedRank = kind === 'full' ? 3 : 2;
  assertTensor(FN, 'logprobs', logprobs, { dtypes: ['float32'], rank: expectedRank });
  assertTensor(FN, 'refLogprobs', refLogprobs, { dtypes: ['float32'], rank: expectedRank });
  assertSameShape(FN, 'refLogprobs', refLogprobs, 'logprobs', logprobs);
  const [batch, steps] = masks.shape;
  if (logprobs.shape[0] !== batch || logprobs.shape[1] !== steps) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`logprobs\` has shape [${logprobs.shape.join(', ')}] but \`masks\` has shape ` +
        `[${batch}, ${steps}]; both must start with [batch, steps].`,
    );
  }
  if (scores.shape[0] !== batch) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`scores\` has ${scores.shape[0]} entries but \`masks\` has ${batch} rows; pass one score per row.`,
    );
  }
  assertFiniteNumber(FN, 'klCoef', klCoef);
  assertAllFinite(FN, 'scores', scores);
  const lastIndices = lastMaskedIndices(masks);

  return tf.tidy(() => {
    const kls = klPenalty(logprobs, refLogprobs, kind) as tf.Tensor2D;
    const nonScoreRewards = tf.mul(kls, -klCoef) as tf.Tensor2D;
    // isLast[b, t] = (t == lastIndex[b]). Built with `equal`, not `oneHot`: tfjs refuses oneHot
    // with depth 1 (one-token responses), and its float32 output is broken on wasm.
    const positions = tf.reshape(tf.range(0, steps, 1, 'int32'), [1, steps]);
    const isLast = tf.cast(
      tf.equal(positions, tf.tensor2d(lastIndices, [lastIndices.length, 1], 'int32')),
      'float32',
    );
    const scoreAtLast = tf.mul(isLast, tf.expandDims(scores, 1));
    const rewards = tf.add(nonScoreRewards, scoreAtLast) as tf.Tensor2D;
    return { rewards, nonScoreRewards, kls };
  });
}

/** Index of the last 1 in each mask row; throws for a row without one (TRL would index an empty tensor). */
function lastMaskedIndices(masks: tf.Tensor2D): number[] {
  const [batch, steps] = masks.shape;
  const data = masks.dataSync();
  const last: number[] = [];
  for (let row = 0; row < batch; row++) {
    let found = -1;
    for (let step = steps - 1; step >= 0; step--) {
      if (Number(data[row * steps + step]) !== 0) {
        found = step;
        break;
      }
    }
    if (found < 0) {
      throw new TrlError(
        'invalid-argument',
        `${FN}: \`masks\` row ${row} has no 1s, so there is no response token to put the score on; ` +
          'drop empty responses before computing rewards.',
      );
    }
    last.push(found);
  }
  return last;
}
