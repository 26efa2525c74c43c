/**
 * @trl/ppo: `PPOTrainer` with TRL v0.7.4's semantics on any @trl/core value-head model, with TRL's
 * known PPO bugs fixed.
 */

export { CHECKPOINT_FORMAT, type TrainerState, trainerStateSchema } from './checkpoint';
export {
  PPO_CONFIG_HINTS,
  type PPOConfig,
  type PPOConfigInput,
  parsePPOConfig,
  ppoConfigSchema,
} from './config';
export type { PPOGenerateOptions } from './generate';
export { LengthSampler, type LengthSamplerState } from './length-sampler';
export type { TokenRow } from './samples';
export { PPO_STAT_KEYS, type PPOStatKey } from './stat-keys';
export {
  computeTargetTensors,
  type TargetInput,
  type TargetOptions,
  type TargetTensors,
} from './targets';
export { type PPOPolicy, type PPOStats, PPOTrainer, type PPOTrainerOptions } from './trainer';
