import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';
import { z } from 'zod';
import { nanMean, nanStd, nanSum } from './nan-stats';
import { assertTensor } from './validate';

const FN = 'grpoAdvantages';

/** Added to the standard deviation before dividing by it, exactly as TRL (not 1e-8). */
export const GRPO_STD_EPSILON = 1e-4;

/** How rewards are scaled (TRL `scale_rewards`): by the group's std, the whole batch's std, or not at all. */
export const SCALE_REWARDS = ['group', 'batch', 'none'] as const;
/** One of {@link SCALE_REWARDS}. */
export type ScaleRewards = (typeof SCALE_REWARDS)[number];

/** How several reward functions are combined (TRL `multi_objective_aggregation`). */
export const MULTI_OBJECTIVE_AGGREGATIONS = ['sum_then_normalize', 'normalize_then_sum'] as const;
/** One of {@link MULTI_OBJECTIVE_AGGREGATIONS}. */
export type MultiObjectiveAggregation = (typeof MULTI_OBJECTIVE_AGGREGATIONS)[number];

/** Options of {@link grpoAdvantages}, with `GRPOConfig`'s defaults. */
export const grpoAdvantagesOptionsSchema = z.strictObject({
  /** Completions per prompt; rows `[g * n, (g + 1) * n)` form group `g` (TRL `num_generations`). */
  numGenerations: z.number().int().positive(),
  /** TRL `scale_rewards`, default `'group'`. Ignored by `'normalize_then_sum'` (TRL does the same). */
  scaleRewards: z.enum(SCALE_REWARDS).default('group'),
  /** One weight per reward function (TRL `reward_weights`); default all 1. */
  rewardWeights: z.array(z.number().refine(Number.isFinite, 'must be finite')).optional(),
  /** TRL `multi_objective_aggregation`, default `'sum_then_normalize'`. */
  multiObjectiveAggregation: z.enum(MULTI_OBJECTIVE_AGGREGATIONS).default('sum_then_normalize'),
});

/** Options of {@link grpoAdvantages}. */
export type GrpoAdvantagesOptions = z.input<typeof grpoAdvantagesOptionsSchema>;

/** The reward statistics TRL logs when it scores a generation batch, each a float32 scalar. */
export interface GrpoRewardStats {
  /** TRL `reward`: mean of the weighted reward over scorable completions. */
  reward: tf.Scalar;
  /** TRL `reward_std`: its unbiased std over the whole batch. */
  rewardStd: tf.Scalar;
  /** TRL `frac_reward_zero_std`: fraction of completions whose scaling std is (close to) 0. */
  fracRewardZeroStd: tf.Scalar;
}

/** What {@link grpoAdvantages} returns; free it all with `tf.dispose(output)`. */
export interface GrpoAdvantages {
  /** One advantage per completion, `[numPrompts * numGenerations]`; 0 for unscorable completions. */
  advantages: tf.Tensor1D;
  /** The weighted reward per completion (NaN where no reward function scored it). */
  rewards: tf.Tensor1D;
  /** What TRL logs about the rewards. */
  stats: GrpoRewardStats;
}

/**
 * Group-relative advantages (TRL `GRPOTrainer._generate_and_score_completions`). `rewardsPerFunc` is
 * `[N, K]` (one column per reward function, NaN where a function gave no score) or `[N]` for one function,
 * with `N = numPrompts * numGenerations` ordered prompt by prompt. With `'sum_then_normalize'`:
 *
 *     r       = nansum_k(w_k * R[:, k])               (NaN for a row every function left NaN)
 *     mean_g  = nanmean of r over the row's group
 *     std     = nanstd(r over the group)  for 'group' / 'none';   nanstd(r over the batch)  for 'batch'
 *     A       = r - mean_g,  then  A / (std + 1e-4)   unless 'none'
 *
 * With `'normalize_then_sum'` each function is normalized within its group first,
 * `z_k = (R_k - mean_g,k) / (std_g,k + 1e-4)`, then `r = nansum_k(w_k * z_k)` and
 * `A = (r - nanmean(r)) / (nanstd(r) + 1e-4)` over the batch. Either way a NaN advantage becomes 0, so
 * unscorable completions do not move the policy. Standard deviations are unbiased (n - 1), as TRL's.
 * No gradient flows through rewards, and nothing here reads tensor data.
 */
export function grpoAdvantages(rewardsPerFunc: tf.Tensor, options: GrpoAdvantagesOptions): GrpoAdvantages {
  const parsed = grpoAdvantagesOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new TrlError('invalid-value', `${FN}: invalid \`options\`: ${z.prettifyError(parsed.error)}`);
  }
  const { numGenerations, scaleRewards, multiObjectiveAggregation } = parsed.data;
  assertTensor(FN, 'rewardsPerFunc', rewardsPerFunc, { dtypes: ['float32'] });
  if (rewardsPerFunc.rank !== 1 && rewardsPerFunc.rank !== 2) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`rewardsPerFunc\` must be [completions] or [completions, rewardFunctions], got shape ` +
        `[${rewardsPerFunc.shape.join(', ')}].`,
    );
  }
  const rows = rewardsPerFunc.shape[0] as number;
  const funcs = rewardsPerFunc.rank === 2 ? (rewardsPerFunc.shape[1] as number) : 1;
  if (rows === 0 || rows % numGenerations !== 0) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`rewardsPerFunc\` has ${rows} rows, not a positive multiple of numGenerations ` +
        `(${numGenerations}); pass every completion of every prompt, grouped prompt by prompt.`,
    );
  }
  const weights = parsed.data.rewardWeights ?? new Array<number>(funcs).fill(1);
  if (weights.length !== funcs) {
    throw new TrlError(
      'invalid-value',
      `${FN}: \`rewardWeights\` has ${weights.length} entries but there are ${funcs} reward functions ` +
        '(columns of rewardsPerFunc); give one weight per function.',
    );
  }

  return tf.tidy(() => {
    const perFunc = rewardsPerFunc.reshape([rows, funcs]);
    const w = tf.tensor1d(weights, 'float32').reshape([1, funcs]);
    const unscorable = tf.all(tf.isNaN(perFunc), 1);
    const withNaN = (x: tf.Tensor) => tf.where(unscorable, tf.fill([rows], Number.NaN), x);
    const weightedSum = withNaN(nanSum(tf.mul(perFunc, w), 1)) as tf.Tensor1D;

    let advantages: tf.Tensor;
    let std: tf.Tensor;
    if (multiObjectiveAggregation === 'sum_then_normalize') {
      const grouped = weightedSum.reshape([-1, numGenerations]);
      const groupMean = tf.broadcastTo(nanMean(grouped, 1, true), grouped.shape).reshape([rows]);
      if (scaleRewards === 'batch') {
        std = rows > 1 ? tf.broadcastTo(nanStd(weightedSum), [rows]) : tf.zeros([rows]);
      } else {
        // 'none' computes the group std too: only to log how many groups had no spread.
        std =
          numGenerations > 1
            ? tf.broadcastTo(nanStd(grouped, 1, true), grouped.shape).reshape([rows])
            : tf.zeros([rows]);
      }
      advantages = tf.sub(weightedSum, groupMean);
      if (scaleRewards !== 'none') advantages = tf.div(advantages, tf.add(std, GRPO_STD_EPSILON));
    } else {
      const grouped = perFunc.reshape([-1, numGenerations, funcs]);
      const meanK = nanMean(grouped, 1, true);
      const stdK = numGenerations > 1 ? nanStd(grouped, 1, true) : tf.zerosLike(meanK);
      const normalized = tf
        .div(tf.sub(grouped, meanK), tf.add(stdK, GRPO_STD_EPSILON))
        .reshape([rows, funcs]);
      const combined = withNaN(nanSum(tf.mul(normalized, w), 1));
      std = rows > 1 ? tf.broadcastTo(nanStd(combined), [rows]) : tf.zeros([rows]);
      advantages = tf.div(tf.sub(combined, nanMean(combined)), tf.add(std, GRPO_STD_EPSILON));
    }
    // torch.isclose(std, 0) with its default atol; NaN compares false.
    const stdIsZero = tf.cast(tf.lessEqual(tf.abs(std), 1e-8), 'float32');

    return {
      advantages: tf.where(tf.isNaN(advantages), tf.zerosLike(advantages), advantages) as tf.Tensor1D,
      rewards: weightedSum,
      stats: {
        reward: nanMean(weightedSum) as tf.Scalar,
        rewardStd: nanStd(weightedSum) as tf.Scalar,
        fracRewardZeroStd: tf.mean(stdIsZero) as tf.Scalar,
      },
    };
  });
}
