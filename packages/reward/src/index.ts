/**
 * @trl/reward: TRL's RewardTrainer on the shared training loop of @trl/core: preference pairs
 * (text or token ids, optional margin), the Bradley–Terry loss with optional reward centring, and
 * accuracy on evaluation.
 */
export { collatePairs, type PairBatch } from './collate';
export { type RewardConfig, type RewardConfigInput, rewardConfigSchema } from './config';
export { type PairwiseLoss, pairwiseRewardLoss } from './loss';
export { type PairDatasetStats, type PairExample, preparePairs } from './prepare';
export { RewardTrainer, type RewardTrainerOptions } from './trainer';
