/**
 * @trl/sft: TRL's SFTTrainer on the shared training loop of @trl/core: text or formatted rows,
 * pre-tokenized rows with a loss mask, truncation, padding, packing, completion-only loss, NEFTune and LoRA.
 */
export { padCollate, type SFTBatch } from './collate';
export { findLastSubsequence, maskToResponse } from './completion-only';
export { type SFTConfig, type SFTConfigInput, sftConfigSchema } from './config';
export { neftuneNoise } from './neftune';
export { type PackingOptions, packSequences } from './packing';
export { type PrepareContext, prepareSFTDataset, type SFTDatasetStats } from './prepare';
export {
  isPretokenizedRow,
  type NextTokenBatch,
  nextTokenBatch,
  type PretokenizedOptions,
  type PretokenizedRow,
  pretokenizedExample,
} from './pretokenized';
export {
  type FormattingFunc,
  IGNORE_INDEX,
  type RowText,
  rowText,
  type SFTExample,
  tokenizeRow,
} from './tokenize';
export { SFTTrainer, type SFTTrainerOptions, type SFTTrainOptions } from './trainer';
