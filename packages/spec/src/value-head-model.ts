import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { CausalLM, CausalLMInput, CausalLMOutput } from './causal-lm';

/** Output of a value-head forward pass. */
export interface ValueHeadOutput extends CausalLMOutput {
  /** One value estimate per token, float32 `[batch, seq]`. */
  values: Tensor2D;
}

/**
 * A causal LM with a scalar value head on its last hidden state, as TRL's
 * `AutoModelForCausalLMWithValueHead`. PPO trains the policy and the value head together.
 */
export interface ValueHeadModel extends Omit<CausalLM, 'forward'> {
  /** The language model under the head, sharing its weights (TRL's `pretrained_model`). */
  readonly backbone: CausalLM;
  /** Forward pass returning logits and per-token values. */
  forward(input: CausalLMInput): ValueHeadOutput;
}
