export type { CausalLM, CausalLMInfo, CausalLMInput, CausalLMOutput, NamedVariable } from './causal-lm';
export type { PreferenceRow, PromptCompletionRow, PromptRow, TextRow } from './dataset';
export type {
  FastDecoder,
  FastDecoderInput,
  FastDecoderProvider,
  PreNormDecoderLayerWeights,
  PreNormDecoderShape,
  PreNormDecoderWeights,
} from './fast-decoder';
export type { FinishReason, GenerationOptions, GenerationResult } from './generation';
export type { RewardFunction } from './reward-function';
export type { SequenceClassifier, SequenceClassifierOutput } from './sequence-classifier';
export type {
  BatchEncodeOptions,
  BatchEncoding,
  DecodeOptions,
  EncodeOptions,
  PaddingSide,
  Tokenizer,
} from './tokenizer';
export type { Tool, ToolCallOptions } from './tool';
export type { Metrics, Tracker } from './tracker';
export type { ValueHeadModel, ValueHeadOutput } from './value-head-model';
export type { SpecificationVersion } from './version';
export { SPECIFICATION_VERSION } from './version';
