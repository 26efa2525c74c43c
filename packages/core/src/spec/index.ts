export type { SpecificationVersion } from './version';
export { SPECIFICATION_VERSION } from './version';
export type { Tool, ToolCallOptions } from './tool';
export type {
  Tokenizer,
  PaddingSide,
  EncodeOptions,
  DecodeOptions,
  BatchEncodeOptions,
  BatchEncoding,
} from './tokenizer';
export type { GenerationOptions, GenerationResult, FinishReason } from './generation';
export type { CausalLM, CausalLMInfo, CausalLMInput, CausalLMOutput, NamedVariable } from './causal-lm';
export type { ValueHeadModel, ValueHeadOutput } from './value-head-model';
export type { SequenceClassifier, SequenceClassifierOutput } from './sequence-classifier';
export type { RewardFunction } from './reward-function';
export type { Tracker, Metrics } from './tracker';
export type { TextRow, PromptCompletionRow, PromptRow, PreferenceRow } from './dataset';
