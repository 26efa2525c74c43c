import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';
import { z } from 'zod';
import { maskedWhitenUnchecked } from './masked-whiten';
import { assertMaskSumAbove, assertSameShape, assertTensor, floatMask, MASK_DTYPES } from './validate';

const FN = 'computeAdvantages';

/** GAE settings, with TRL `PPOConfig`'s defaults. */
export const advantageOptionsSchema = z.object({
  /** Discount factor (TRL `gamma`, default 1). */
  gamma: z.number().min(0).max(1).default(1),
  /** GAE lambda, the bias/variance trade-off of the advantage estimate (TRL `lam`, default 0.95). */
  lam: z.number().min(0).max(1).default(0.95),
  /** Whiten the advantages with the masked mean and variance, as TRL always does (default true). */
  whiten: z.boolean().default(true),
  /** Scale the masked rewards by their masked std before GAE (TRL `whiten_rewards`, default false). */
  whitenRewards: z.boolean().default(false),
});

/** Options of {@link computeAdvantages}; every field optional, defaults as TRL. */
export type AdvantageOptions = z.input<typeof advantageOptionsSchema>;

/** What {@link computeAdvantages} returns; the caller owns (disposes) all three tensors. */
export interface ComputedAdvantages {
  /** The values multiplied by the mask (TRL returns these too, and PPO clips against them). */
  values: tf.Tensor2D;
  /** GAE advantages, whitened over the masked positions unless `whiten` is false. */
  advantages: tf.Tensor2D;
  /** Value targets: the raw (unwhitened) advantages plus the masked values. */
  returns: tf.Tensor2D;
}

/**
 * Generalised advantage estimation over response tokens (TRL `PPOTrainer.compute_advantages`):
 *
 *     V = values * mask;   r = rewards * mask
 *     r = maskedWhiten(r, mask, shiftMean = false)                 if whitenRewards
 *     delta_t = r_t + gamma * V_{t+1} - V_t                         (V_T = 0)
 *     A_t     = delta_t + gamma * lam * A_{t+1}                     (A_T = 0, computed backwards)
 *     returns = A + V
 *     A       = maskedWhiten(A, mask)                               if whiten
 *
 * The recursion runs over every position, masked ones included; masking zeroes their rewards and
 * values, exactly as TRL. Reads the mask sum (a data sync): it must select a value, and at least two
 * when anything is whitened.
 *
 * @param values value-head estimates, float32 `[batch, steps]`.
 * @param rewards per-token rewards from `computeRewards`, same shape.
 * @param mask 1 on response tokens, same shape; float32, int32 or bool.
 */
export function computeAdvantages(
  values: tf.Tensor2D,
  rewards: tf.Tensor2D,
  mask: tf.Tensor2D,
  options: AdvantageOptions = {},
): ComputedAdvantages {
  assertTensor(FN, 'values', values, { dtypes: ['float32'], rank: 2 });
  assertTensor(FN, 'rewards', rewards, { dtypes: ['float32'], rank: 2 });
  assertTensor(FN, 'mask', mask, { dtypes: MASK_DTYPES, rank: 2 });
  assertSameShape(FN, 'rewards', rewards, 'values', values);
  assertSameShape(FN, 'mask', mask, 'values', values);
  const parsed = advantageOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new TrlError('invalid-value', `${FN}: invalid \`options\`: ${z.prettifyError(parsed.error)}`);
  }
  const { gamma, lam, whiten, whitenRewards } = parsed.data;
  const whitens = whiten || whitenRewards;
  assertMaskSumAbove(
    FN,
    'mask',
    mask,
    whitens ? 1 : 0,
    whitens
      ? 'whitening uses the unbiased variance and needs at least 2 response tokens; use a larger (mini-)batch.'
      : 'it selects no response token; pass a mask with 1 on the response tokens.',
  );

  return tf.tidy(() => {
    const weights = floatMask(mask);
    const maskedValues = tf.mul(values, weights) as tf.Tensor2D;
    let maskedRewards = tf.mul(rewards, weights) as tf.Tensor2D;
    if (whitenRewards) maskedRewards = maskedWhitenUnchecked(maskedRewards, weights, false) as tf.Tensor2D;

    const valueColumns = tf.unstack(maskedValues, 1);
    const rewardColumns = tf.unstack(maskedRewards, 1);
    const steps = valueColumns.length;
    const advantageColumns: tf.Tensor[] = new Array(steps);
    let nextAdvantage: tf.Tensor = tf.zerosLike(valueColumns[0] as tf.Tensor);
    for (let t = steps - 1; t >= 0; t--) {
      const nextValue = t < steps - 1 ? (valueColumns[t + 1] as tf.Tensor) : tf.scalar(0);
      const delta = tf.sub(
        tf.add(rewardColumns[t] as tf.Tensor, tf.mul(gamma, nextValue)),
        valueColumns[t] as tf.Tensor,
      );
      nextAdvantage = tf.add(delta, tf.mul(gamma * lam, nextAdvantage));
      advantageColumns[t] = nextAdvantage;
    }
    const rawAdvantages = tf.stack(advantageColumns, 1) as tf.Tensor2D;
    const returns = tf.add(rawAdvantages, maskedValues) as tf.Tensor2D;
    const advantages = whiten
      ? (maskedWhitenUnchecked(rawAdvantages, weights) as tf.Tensor2D)
      : rawAdvantages;
    return { values: maskedValues, advantages, returns };
  });
}
