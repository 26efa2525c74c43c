/**
 * @trl/dpo: TRL 1.13's DPOTrainer on the shared training loop of @trl/core: prompt/chosen/rejected
 * rows (text or token ids), one concatenated forward per batch, a frozen reference model or
 * precomputed reference log-probs, the sigmoid/hinge/ipo/robust losses and TRL's metric names.
 */
export { collateDPO, type DPOBatch } from './collate';
export { type DPOConfig, type DPOConfigInput, dpoConfigSchema } from './config';
export { type SequenceLogps, sequenceLogps } from './logps';
export { type DPODatasetStats, type DPOExample, type PrepareOptions, prepareDPODataset } from './prepare';
export { DPOTrainer, type DPOTrainerOptions } from './trainer';
