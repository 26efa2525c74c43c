/**
 * @trl/models: GPT-2 (transformers' GPT2LMHeadModel) and the Llama family (Llama, Mistral, Qwen2,
 * Qwen3) with value and classification heads, LoRA, Hugging Face checkpoints and batched KV-cache
 * generation, on TensorFlow.js.
 */

export {
  AutoModelForCausalLM,
  type CausalLMFromPretrainedOptions,
  type PretrainedCausalLM,
  SUPPORTED_MODEL_TYPES,
} from './auto/auto-model-for-causal-lm';
export {
  AutoModelForSeq2SeqLM,
  AutoModelForSeq2SeqLMWithValueHead,
  SEQ2SEQ_MODEL_TYPES,
  type Seq2SeqValueHeadLoadOptions,
} from './auto/auto-model-for-seq2seq-lm';
export {
  AutoSequenceClassifier,
  SEQUENCE_CLASSIFIER_MODEL_TYPES,
} from './auto/auto-model-for-sequence-classification';
export {
  AutoModelForCausalLMWithValueHead,
  AutoModelForSequenceClassification,
  type SequenceClassificationOptions,
} from './auto/auto-model-with-heads';
export {
  type CheckpointTensor,
  type LoadedCheckpoint,
  loadGpt2Checkpoint,
  type PretrainedOptions,
} from './checkpoint/load';
export { DecoderLanguageModel, type DecoderParts, type DenseLayer } from './decoder-model';
export * from './encoders/index';
export type { DecoderModel } from './generation/decoding';
export {
  type Gpt2Config,
  type Gpt2ConfigInput,
  gpt2ConfigSchema,
  mlpWidth,
  parseGpt2Config,
} from './gpt2/config';
export type { InputLimits } from './gpt2/input';
export {
  type Gpt2CreateOptions,
  Gpt2LMHeadModel,
  type Gpt2Parts,
  type LayerCache,
  type TransformerInput,
  type TransformerOutput,
} from './gpt2/model';
export type { BlockWeights, Gpt2Weights, LayerNormWeights, LinearWeights } from './gpt2/weights';
export type { HeadBackbone } from './heads/backbone';
export { type Seq2SeqHeadBackbone, Seq2SeqWithValueHead } from './heads/seq2seq-value-head';
export { Gpt2ForSequenceClassification, SCORE_KEY } from './heads/sequence-classification';
export {
  Gpt2WithValueHead,
  V_HEAD_KEYS,
  type ValueHeadOptions,
  valueHeadOptionsSchema,
} from './heads/value-head';
export * from './hub/index';
export {
  LLAMA_FAMILY_TYPES,
  type LlamaConfig,
  type LlamaConfigFields,
  type LlamaFamilyType,
  llamaConfigSchema,
  parseLlamaConfig,
  type RopeSettings,
  UNSUPPORTED_CONFIG,
} from './llama/config';
export type { LlamaCreateOptions } from './llama/init';
export { type LoadedLlamaCheckpoint, loadLlamaCheckpoint } from './llama/load';
export { LlamaForCausalLM, type LlamaParts } from './llama/model';
export type { LlamaLayerWeights, LlamaLinear, LlamaWeights } from './llama/weights';
export { LoraAdapter, LoraAdapters, type LoraTargetLayer } from './lora/adapters';
export { type LoraConfig, type LoraConfigInput, loraConfigSchema, parseLoraConfig } from './lora/config';
export { addLora, type LoraHost, loadLoraAdapter, mergeAndUnload } from './lora/lora-model';
export { saveLoraAdapter } from './lora/peft-files';
export { createReferenceModel, type ReferenceModelOptions } from './reference-model';
export * from './t5/index';
export * from './tokenizer/index';
