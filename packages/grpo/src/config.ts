import { GRPO_LOSS_TYPES, IMPORTANCE_SAMPLING_LEVELS, parseOptions, SCALE_REWARDS } from '@trl/core';
import { z } from 'zod';

/** `GRPOConfig` with TRL 1.13's names (camelCase) and defaults. Unknown keys are rejected. */
export const grpoConfigSchema = z.strictObject({
  /** Completions sampled per prompt (TRL `num_generations`, 8). */
  numGenerations: z.number().int().min(2).default(8),
  /** Longest completion, in tokens (TRL `max_completion_length`, 512). */
  maxCompletionLength: z.number().int().positive().default(512),
  /** Sampling temperature (TRL `temperature`, 1). */
  temperature: z.number().positive().default(1),
  /** Nucleus sampling (TRL `top_p`, 1: off). */
  topP: z.number().gt(0).max(1).default(1),
  /** Top-k sampling (TRL `top_k`, 0: off). */
  topK: z.number().int().min(0).default(0),
  /** KL coefficient against the reference model (TRL `beta`, 0: no reference model is used). */
  beta: z.number().min(0).default(0),
  /** Lower clip (TRL `epsilon`, 0.2). */
  epsilon: z.number().min(0).default(0.2),
  /** Upper clip (TRL `epsilon_high`, default `epsilon`). */
  epsilonHigh: z.number().min(0).optional(),
  /** Two-sided clipping cap (TRL `delta`, off). */
  delta: z.number().positive().optional(),
  /** TRL `loss_type`, default `'dapo'`. */
  lossType: z.enum(GRPO_LOSS_TYPES).default('dapo'),
  /** TRL `scale_rewards`, default `'group'`. */
  scaleRewards: z.enum(SCALE_REWARDS).default('group'),
  /** One weight per reward function (TRL `reward_weights`, all 1). */
  rewardWeights: z.array(z.number().refine(Number.isFinite, 'must be finite')).optional(),
  /** Optimizer updates per generation batch (TRL `num_iterations`, μ; 1). */
  numIterations: z.number().int().positive().default(1),
  /** Drop completions that hit `maxCompletionLength` without eos from the loss (TRL, false). */
  maskTruncatedCompletions: z.boolean().default(false),
  /** TRL `importance_sampling_level`, default `'token'`. */
  importanceSamplingLevel: z.enum(IMPORTANCE_SAMPLING_LEVELS).default('token'),
  /** AdamW learning rate (TRL `learning_rate`, 1e-6). */
  learningRate: z.number().positive().default(1e-6),
  /** AdamW weight decay (transformers' default 0). */
  weightDecay: z.number().min(0).default(0),
  /** Gradient clipping by global norm (transformers' `max_grad_norm`, 1); null disables. */
  maxGradNorm: z.number().positive().nullable().default(1),
  /** Seed of generation sampling. */
  seed: z.number().int().min(0).default(42),
});

/** What users pass as `config`; every field optional. */
export type GRPOConfigInput = z.input<typeof grpoConfigSchema>;
/** The parsed config with defaults filled in. */
export type GRPOConfig = z.output<typeof grpoConfigSchema>;

/**
 * Validates a GRPO config, throwing a `TrlConfigError` naming every bad field; unknown keys are rejected
 * with a did-you-mean (TRL's snake_case names point to the camelCase spelling).
 */
export function parseGrpoConfig(config: GRPOConfigInput = {}): GRPOConfig {
  return parseOptions('GRPOConfig', grpoConfigSchema, config, { what: 'config' });
}
