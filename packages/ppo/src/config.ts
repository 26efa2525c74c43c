import { type KeyHints, KL_PENALTY_KINDS, type KLPenaltyKind, parseOptions } from '@trl/core';
import { z } from 'zod';

/**
 * TRL v0.7.4's `PPOConfig` training fields in camelCase, with TRL's defaults. Tracking and hub fields
 * (`exp_name`, `log_with`, `push_to_hub_if_best_kwargs`, ...) are left out: pass a `Tracker` instead.
 */
export const ppoConfigSchema = z.object({
  /** Adam learning rate of the default optimizer (TRL `learning_rate`). */
  learningRate: z.number().finite().nonnegative().default(1e-5),
  /** Adaptive KL control (Ziegler et al.); false keeps the coefficient fixed (TRL `adap_kl_ctrl`). */
  adapKlCtrl: z.boolean().default(true),
  /** Initial KL penalty coefficient (TRL `init_kl_coef`). */
  initKlCoef: z.number().finite().nonnegative().default(0.2),
  /** Per-token KL estimator of the penalty (TRL `kl_penalty`). */
  klPenalty: z.enum(KL_PENALTY_KINDS as [KLPenaltyKind, ...KLPenaltyKind[]]).default('kl'),
  /** KL the adaptive controller steers towards (TRL `target`). */
  target: z.number().finite().positive().default(6),
  /** Horizon of the adaptive controller, in samples (TRL `horizon`). */
  horizon: z.number().finite().positive().default(10000),
  /** Discount of the advantage estimate (TRL `gamma`). */
  gamma: z.number().min(0).max(1).default(1),
  /** GAE lambda (TRL `lam`). */
  lam: z.number().min(0).max(1).default(0.95),
  /** Clip range of the policy ratio (TRL `cliprange`). */
  cliprange: z.number().finite().nonnegative().default(0.2),
  /** Clip range of the value prediction (TRL `cliprange_value`). */
  cliprangeValue: z.number().finite().nonnegative().default(0.2),
  /** Weight of the value loss (TRL `vf_coef`). */
  vfCoef: z.number().finite().nonnegative().default(0.1),
  /**
   * Nominal samples per `step` (TRL `batch_size`), kept for config parity. Unlike TRL, `step` accepts
   * any number of samples and feeds the KL controller the number it actually got.
   */
  batchSize: z.number().int().positive().default(256),
  /** Samples per forward pass and per PPO minibatch (TRL `mini_batch_size`). */
  miniBatchSize: z.number().int().positive().default(1),
  /** Minibatches whose gradients are summed before one optimizer step (TRL `gradient_accumulation_steps`). */
  gradientAccumulationSteps: z.number().int().positive().default(1),
  /** Optimisation epochs over each batch (TRL `ppo_epochs`). */
  ppoEpochs: z.number().int().positive().default(4),
  /** Clip the global gradient norm to this value; unset disables clipping (TRL `max_grad_norm`). */
  maxGradNorm: z.number().finite().positive().optional(),
  /** Stop the epochs of a step once the policy KL exceeds 1.5 × `targetKl` (TRL `early_stopping`). */
  earlyStopping: z.boolean().default(false),
  /** KL target of early stopping (TRL `target_kl`). */
  targetKl: z.number().finite().positive().default(1),
  /** Skip a minibatch whose mean probability ratio exceeds this (TRL `ratio_threshold`). */
  ratioThreshold: z.number().finite().positive().default(10),
  /** Divide scores by their running std (TRL `use_score_scaling`). */
  useScoreScaling: z.boolean().default(false),
  /** Also subtract the running mean; only applies with `useScoreScaling` (TRL `use_score_norm`). */
  useScoreNorm: z.boolean().default(false),
  /** Clip (scaled) scores to [-scoreClip, scoreClip]; unset disables (TRL `score_clip`). */
  scoreClip: z.number().finite().positive().optional(),
  /** Scale the per-token rewards by their masked std before GAE (TRL `whiten_rewards`). */
  whitenRewards: z.boolean().default(false),
  /** Seed of minibatch shuffling and of generation (TRL `seed`). */
  seed: z.number().int().default(0),
});

/** A validated PPO config, every default filled in. */
export type PPOConfig = z.output<typeof ppoConfigSchema>;

/** What a caller passes: any subset of the fields. */
export type PPOConfigInput = z.input<typeof ppoConfigSchema>;

const TRACKER_HINT =
  'trl-ts has no built-in tracker setup here; pass a Tracker (e.g. JsonlTracker) to PPOTrainer';
const NO_EQUIVALENT = 'TRL-only setting with no trl-ts equivalent; remove it';

/** Advice for TRL PPOConfig fields trl-ts leaves out, so porting a config gets a reason, not just "unknown". */
export const PPO_CONFIG_HINTS: KeyHints = {
  logWith: TRACKER_HINT,
  trackerKwargs: TRACKER_HINT,
  trackerProjectName: TRACKER_HINT,
  projectKwargs: TRACKER_HINT,
  expName: TRACKER_HINT,
  forwardBatchSize: 'TRL deprecated forward_batch_size; use miniBatchSize',
  acceleratorKwargs: NO_EQUIVALENT,
  pushToHubIfBestKwargs: NO_EQUIVALENT,
  optimizeCudaCache: NO_EQUIVALENT,
  optimizeDeviceCache: NO_EQUIVALENT,
  remoteRewardModel: NO_EQUIVALENT,
};

/**
 * Validates a PPO config, throwing a TrlConfigError that names every bad field. Unknown keys are
 * rejected with a did-you-mean, TRL's snake_case names with their camelCase spelling.
 */
export function parsePPOConfig(config: PPOConfigInput = {}): PPOConfig {
  return parseOptions('PPOConfig', ppoConfigSchema, config, { what: 'config', hints: PPO_CONFIG_HINTS });
}
