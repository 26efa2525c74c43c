/**
 * RL math with TRL v0.7.4 semantics: log-probs, entropy, masked statistics, KL penalties, per-token
 * rewards, GAE, the PPO-clip loss, KL controllers and running moments.
 */

export type { AdvantageOptions, ComputedAdvantages } from './compute-advantages';
export { advantageOptionsSchema, computeAdvantages } from './compute-advantages';
export type { ComputedRewards } from './compute-rewards';
export { computeRewards } from './compute-rewards';
export { entropyFromLogits } from './entropy-from-logits';
export type { KLController, KLControllerState } from './kl-controller';
export { AdaptiveKLController, FixedKLController, klControllerStateSchema } from './kl-controller';
export type { KLPenaltyKind } from './kl-penalty';
export { KL_PENALTY_KINDS, klPenalty } from './kl-penalty';
export { fullLogprobsFromLogits, logprobsFromLogits } from './logprobs-from-logits';
export { maskedMean } from './masked-mean';
export { maskedVar } from './masked-var';
export { maskedWhiten, WHITEN_EPSILON } from './masked-whiten';
export type { PpoLossConfig, PpoLossInput, PpoLossOutput, PpoLossStats } from './ppo-loss';
export { ppoLoss, ppoLossConfigSchema, ppoStatsToNumbers } from './ppo-loss';
export type { BatchMoments, RunningMomentsState } from './running-moments';
export { RunningMoments, runningMomentsStateSchema } from './running-moments';
