import type { Metrics } from '@trl/core';
import { MINIBATCH_STAT_KEYS, type MinibatchStats } from './train-minibatch';

/** Mean of a list; 0 for an empty one. */
function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Unbiased std as torch's `std()`; 0 (not NaN) for fewer than two values. */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const center = mean(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - center) ** 2, 0) / (values.length - 1));
}

/** What {@link rolloutStats} reads: per-sample, response-aligned arrays. */
export interface RolloutStatsInput {
  /** Scores after scaling and clipping. */
  scores: readonly number[];
  /** Policy log-probs at rollout time. */
  logprobs: readonly Float32Array[];
  /** Reference log-probs. */
  refLogprobs: readonly Float32Array[];
  /** KL part of the rewards. */
  nonScoreRewards: readonly Float32Array[];
  /** Response masks (1 = model token). */
  masks: readonly (readonly number[])[];
  /** Query lengths. */
  queryLengths: readonly number[];
  /** Response lengths. */
  responseLengths: readonly number[];
}

/**
 * TRL `record_step_stats` for the rollout: `objective/kl` is the mean over samples of the summed
 * masked `logprob - refLogprob` (the sampled-token estimate, whatever `klPenalty` is), `objective/entropy`
 * the mean summed masked `-logprob`, `ppo/mean_non_score_reward` the masked mean over all tokens.
 */
export function rolloutStats(input: RolloutStatsInput): Metrics {
  const kls: number[] = [];
  const entropies: number[] = [];
  let nonScoreSum = 0;
  let tokenCount = 0;
  input.masks.forEach((mask, row) => {
    let kl = 0;
    let entropy = 0;
    mask.forEach((weight, position) => {
      const logprob = input.logprobs[row]?.[position] as number;
      kl += (logprob - (input.refLogprobs[row]?.[position] as number)) * weight;
      entropy += -logprob * weight;
      nonScoreSum += (input.nonScoreRewards[row]?.[position] as number) * weight;
      tokenCount += weight;
    });
    kls.push(kl);
    entropies.push(entropy);
  });
  return {
    'objective/kl': mean(kls),
    'objective/entropy': mean(entropies),
    'ppo/mean_non_score_reward': tokenCount > 0 ? nonScoreSum / tokenCount : 0,
    'ppo/mean_scores': mean(input.scores),
    'ppo/std_scores': sampleStd(input.scores),
    'tokens/queries_len_mean': mean(input.queryLengths),
    'tokens/queries_len_std': sampleStd(input.queryLengths),
    'tokens/responses_len_mean': mean(input.responseLengths),
    'tokens/responses_len_std': sampleStd(input.responseLengths),
  };
}

/**
 * The mean of each minibatch statistic over the step (TRL `stack_dicts` + mean), under `ppo/`, plus
 * `ppo/val/var_explained = 1 - error / returns var`. Means skip NaN entries (a one-token minibatch has
 * no unbiased variance); a statistic with no finite entry, or a zero returns variance, reports 0
 * rather than dividing by zero.
 */
export function aggregateMinibatchStats(all: readonly MinibatchStats[]): Metrics {
  const result: Metrics = {};
  for (const key of MINIBATCH_STAT_KEYS) {
    result[`ppo/${key}`] = mean(all.map((stats) => stats[key]).filter(Number.isFinite));
  }
  const returnsVar = result['ppo/returns/var'] as number;
  const error = result['ppo/val/error'] as number;
  result['ppo/val/var_explained'] = returnsVar > 0 ? 1 - error / returnsVar : 0;
  return result;
}
