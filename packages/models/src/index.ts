/**
 * @trl/models: GPT-2 (transformers' GPT2LMHeadModel) with value and classification heads, LoRA,
 * Hugging Face checkpoints and batched KV-cache generation, on TensorFlow.js.
 */

export { AutoModelForCausalLM, type CausalLMFromPretrainedOptions } from './auto/auto-model-for-causal-lm';
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
export * from './encoders/index';
export {
  type Gpt2Config,
  type Gpt2ConfigInput,
  gpt2ConfigSchema,
  mlpWidth,
  parseGpt2Config,
} from './gpt2/config';
export {
  type Gpt2CreateOptions,
  Gpt2LMHeadModel,
  type Gpt2Parts,
  type LayerCache,
  type TransformerInput,
  type TransformerOutput,
} from './gpt2/model';
export type { BlockWeights, Gpt2Weights, LayerNormWeights, LinearWeights } from './gpt2/weights';
export { Gpt2ForSequenceClassification, SCORE_KEY } from './heads/sequence-classification';
export {
  Gpt2WithValueHead,
  V_HEAD_KEYS,
  type ValueHeadOptions,
  valueHeadOptionsSchema,
} from './heads/value-head';
export * from './hub/index';
export { LoraAdapter, LoraAdapters } from './lora/adapters';
export { type LoraConfig, type LoraConfigInput, loraConfigSchema, parseLoraConfig } from './lora/config';
export { addLora, loadLoraAdapter, mergeAndUnload } from './lora/lora-model';
export { saveLoraAdapter } from './lora/peft-files';
export { createReferenceModel, type ReferenceModelOptions } from './reference-model';
export * from './tokenizer/index';
