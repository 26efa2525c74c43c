import { computeAdvantages, computeRewards, type KLPenaltyKind, TrlError, tf } from '@trl/core';
import type { Rollout } from './rollout';

/** Settings of {@link computeTargetTensors}, named as in `PPOConfig`. */
export interface TargetOptions {
  /** Current KL coefficient (the controller's value). */
  klCoef: number;
  /** KL estimator; with `'full'` pass `fullKl`. */
  klPenalty: KLPenaltyKind;
  /** Discount. */
  gamma: number;
  /** GAE lambda. */
  lam: number;
  /** Scale rewards by their masked std before GAE. */
  whitenRewards: boolean;
}

/** Inputs of {@link computeTargetTensors}: float32 `[batch, steps]` tensors, `scores` `[batch]`. */
export interface TargetInput {
  /** One score per sample (after scaling and clipping). */
  scores: tf.Tensor1D;
  /** Policy log-probs of the sampled tokens at rollout time. */
  logprobs: tf.Tensor2D;
  /** Reference log-probs of the same tokens. */
  refLogprobs: tf.Tensor2D;
  /** Value estimates at rollout time. */
  values: tf.Tensor2D;
  /** 1 on model-generated response tokens. */
  masks: tf.Tensor2D;
  /** Whole-vocabulary KL per token, required for `klPenalty: 'full'`. */
  fullKl?: tf.Tensor2D;
}

/** PPO's training targets; the caller disposes every tensor. */
export interface TargetTensors {
  /** KL penalty plus the score on each row's last model token. */
  rewards: tf.Tensor2D;
  /** The KL part of the rewards, `-klCoef * kl`. */
  nonScoreRewards: tf.Tensor2D;
  /** Values times the mask (PPO clips new values against these). */
  values: tf.Tensor2D;
  /** Whitened GAE advantages. */
  advantages: tf.Tensor2D;
  /** Value targets (raw advantages plus values). */
  returns: tf.Tensor2D;
}

/**
 * Rewards, advantages and returns of a rollout (TRL `compute_rewards` then `compute_advantages`),
 * through @trl/core's fixture-tested math. One difference from TRL, for tiny batches: with a single
 * model token in the whole batch the unbiased variance is undefined (TRL returns NaN advantages); here
 * that lone advantage is 0, its whitened value, and the rewards are not whitened.
 */
export function computeTargetTensors(input: TargetInput, options: TargetOptions): TargetTensors {
  const { scores, logprobs, refLogprobs, values, masks, fullKl } = input;
  if (options.klPenalty === 'full' && !fullKl) {
    throw new TrlError(
      'invalid-argument',
      "computeTargetTensors: `fullKl` is required when `klPenalty` is 'full'.",
    );
  }
  const total = tf.sum(masks);
  const tokenCount = total.dataSync()[0] as number;
  total.dispose();
  const whiten = tokenCount >= 2;
  // The 'full' KL is precomputed from the logits; 'kl' of (fullKl, 0) is exactly that penalty.
  const zeros = fullKl ? tf.zerosLike(fullKl) : undefined;
  const { rewards, nonScoreRewards, kls } = fullKl
    ? computeRewards(scores, fullKl, zeros as tf.Tensor2D, masks, options.klCoef, 'kl')
    : computeRewards(scores, logprobs, refLogprobs, masks, options.klCoef, options.klPenalty);
  tf.dispose([kls, ...(zeros ? [zeros] : [])]);
  const advantages = computeAdvantages(values, rewards, masks, {
    gamma: options.gamma,
    lam: options.lam,
    whiten,
    whitenRewards: options.whitenRewards && whiten,
  });
  if (!whiten) {
    const raw = advantages.advantages;
    advantages.advantages = tf.zerosLike(raw);
    raw.dispose();
  }
  return { rewards, nonScoreRewards, ...advantages };
}

/** PPO's training targets per sample, one entry per response token. */
export interface Targets {
  /** Masked rollout values. */
  values: Float32Array[];
  /** Whitened advantages. */
  advantages: Float32Array[];
  /** Value targets. */
  returns: Float32Array[];
  /** The KL part of the per-token rewards. */
  nonScoreRewards: Float32Array[];
}

/**
 * {@link computeTargetTensors} on ragged samples. Rows are laid out response-aligned (each row's first
 * response token in column 0, zero-padded on the right): TRL's padded layout gives the same numbers,
 * because its query and padding columns are masked and nothing after a response feeds back into it.
 */
export function computeTargets(
  rollout: Rollout,
  responseMasks: readonly (readonly number[])[],
  scores: readonly number[],
  options: TargetOptions,
): Targets {
  const rows = responseMasks.length;
  // At least two columns. This once dodged tfjs refusing a one-hot of depth 1 in computeRewards, which
  // now uses `equal` instead; the floor stays because trailing masked columns change nothing and
  // removing it would change the tensor shapes single-token runs were measured with.
  const width = Math.max(2, ...responseMasks.map((mask) => mask.length));
  const pad = (perSample: readonly ArrayLike<number>[]): tf.Tensor2D => {
    const flat = new Float32Array(rows * width);
    perSample.forEach((row, index) => {
      flat.set(Array.from(row), index * width);
    });
    return tf.tensor2d(flat, [rows, width]);
  };
  const input: TargetInput = {
    scores: tf.tensor1d([...scores], 'float32'),
    logprobs: pad(rollout.logprobs),
    refLogprobs: pad(rollout.refLogprobs),
    values: pad(rollout.values),
    masks: pad(responseMasks),
    ...(rollout.fullKl ? { fullKl: pad(rollout.fullKl) } : {}),
  };
  try {
    const targets = computeTargetTensors(input, options);
    const unpad = (tensor: tf.Tensor2D): Float32Array[] => {
      const flat = tensor.dataSync() as Float32Array;
      return responseMasks.map((mask, index) =>
        Float32Array.from(flat.subarray(index * width, index * width + mask.length)),
      );
    };
    const result = {
      values: unpad(targets.values),
      advantages: unpad(targets.advantages),
      returns: unpad(targets.returns),
      nonScoreRewards: unpad(targets.nonScoreRewards),
    };
    tf.dispose(Object.values(targets));
    return result;
  } finally {
    tf.dispose(Object.values(input));
  }
}
