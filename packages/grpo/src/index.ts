/** GRPOTrainer with TRL 1.13 semantics, on any @trl/spec `CausalLM`. */

export type { GRPOConfig, GRPOConfigInput } from './config';
export { grpoConfigSchema, parseGrpoConfig } from './config';
export { rewardModelFunc } from './reward-model';
export type { NamedRewardFunc, RewardFunc, RewardFuncArgs } from './rewards';
export type { Rollout, RolloutArgs, RolloutFunction } from './rollout';
export { defaultRollout } from './rollout';
export type { GRPOTrainerOptions, PromptColumns } from './trainer';
export { GRPOTrainer } from './trainer';
