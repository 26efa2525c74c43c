import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { CausalLMInfo, CausalLMInput, NamedVariable } from './causal-lm';
import type { SpecificationVersion } from './version';

/** Output of a sequence classifier. */
export interface SequenceClassifierOutput {
  /** Scores pooled at each row's last non-padding token, float32 `[batch, numLabels]`. */
  logits: Tensor2D;
}

/**
 * A transformer with a classification head pooled at the last real token, as transformers'
 * `GPT2ForSequenceClassification`. Reward models are classifiers with one label.
 */
export interface SequenceClassifier {
  /** The spec version this implementation was written against; trainers check it before use. */
  readonly specificationVersion: SpecificationVersion;
  /** Architecture facts of the backbone. */
  readonly info: CausalLMInfo;
  /** Number of output scores per sequence (1 for reward models). */
  readonly numLabels: number;
  /** Differentiable forward pass. */
  forward(input: Omit<CausalLMInput, 'outputHiddenStates'>): SequenceClassifierOutput;
  /** The parameters an optimizer should update. */
  trainableVariables(): NamedVariable[];
  /** Writes the model in Hugging Face layout atomically. */
  savePretrained(dir: string): Promise<void>;
  /** Frees every tensor the model owns. */
  dispose(): void;
}
