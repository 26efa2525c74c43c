/**
 * @trl/spec: the specification every trl-ts package codes against. Interfaces only, plus the
 * version constant and the input-error helpers every package shares; nothing here imports a
 * runtime dependency, so tools and environments can implement the spec without installing tfjs.
 */
export type { CausalLM, CausalLMInfo, CausalLMInput, CausalLMOutput, NamedVariable } from './causal-lm';
export type { PreferenceRow, PromptCompletionRow, PromptRow, TextRow } from './dataset';
export type {
  FastDecoder,
  FastDecoderInput,
  FastDecoderLimits,
  FastDecoderProvider,
  PreNormDecoderLayerWeights,
  PreNormDecoderShape,
  PreNormDecoderWeights,
} from './fast-decoder';
export type { FinishReason, GenerationOptions, GenerationResult } from './generation';
export * from './options/index';
export type { RewardFunction } from './reward-function';
export type { SeedSource } from './seed-source';
export type { Seq2SeqLM, Seq2SeqLMInfo, Seq2SeqLMInput, Seq2SeqLMOutput } from './seq2seq-lm';
export type { Seq2SeqValueHeadModel, Seq2SeqValueHeadOutput } from './seq2seq-value-head-model';
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
