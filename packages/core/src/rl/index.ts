/**
 * RL math with TRL v0.7.4 semantics: log-probs, entropy, masked statistics, KL penalties, per-token
 * rewards, GAE, the PPO-clip loss, KL controllers and running moments; plus TRL 1.13's GRPO
 * (group-relative advantages, the GRPO loss family) and DPO losses.
 */

export type { AdvantageOptions, ComputedAdvantages } from './compute-advantages';
export { advantageOptionsSchema, computeAdvantages } from './compute-advantages';
export type { ComputedRewards } from './compute-rewards';
export { computeRewards } from './compute-rewards';
export type { DpoLossConfig, DpoLossInput, DpoLossOutput, DpoLossStats, DpoLossType } from './dpo-loss';
export {
  DPO_LOSS_TYPES,
  DPO_METRIC_NAMES,
  dpoLoss,
  dpoLossConfigSchema,
  dpoStatsToMetrics,
} from './dpo-loss';
export { entropyFromLogits } from './entropy-from-logits';
export type {
  GrpoAdvantages,
  GrpoAdvantagesOptions,
  GrpoRewardStats,
  MultiObjectiveAggregation,
  ScaleRewards,
} from './grpo-advantages';
export {
  GRPO_STD_EPSILON,
  grpoAdvantages,
  grpoAdvantagesOptionsSchema,
  MULTI_OBJECTIVE_AGGREGATIONS,
  SCALE_REWARDS,
} from './grpo-advantages';
export type {
  GrpoLossConfig,
  GrpoLossInput,
  GrpoLossOutput,
  GrpoLossStats,
  GrpoLossType,
  ImportanceSamplingLevel,
} from './grpo-loss';
export {
  GRPO_LOSS_METRIC_NAMES,
  GRPO_LOSS_TYPES,
  grpoLoss,
  grpoLossConfigSchema,
  grpoStatsToMetrics,
  IMPORTANCE_SAMPLING_LEVELS,
} from './grpo-loss';
export type { KLController, KLControllerState } from './kl-controller';
export { AdaptiveKLController, FixedKLController, klControllerStateSchema } from './kl-controller';
export type { KLPenaltyKind } from './kl-penalty';
export { KL_PENALTY_KINDS, klPenalty } from './kl-penalty';
export { logSigmoid } from './log-sigmoid';
export { fullLogprobsFromLogits, logprobsFromLogits } from './logprobs-from-logits';
export { maskedMean } from './masked-mean';
export { maskedVar } from './masked-var';
export { maskedWhiten, WHITEN_EPSILON } from './masked-whiten';
export { nanMax, nanMean, nanMin, nanStd, nanSum, nanToZero } from './nan-stats';
export type { PpoLossConfig, PpoLossInput, PpoLossOutput, PpoLossStats } from './ppo-loss';
export { ppoLoss, ppoLossConfigSchema, ppoStatsToNumbers } from './ppo-loss';
export type { BatchMoments, RunningMomentsState } from './running-moments';
export { RunningMoments, runningMomentsStateSchema } from './running-moments';
export { stopGradient } from './stop-gradient';
