import type { Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-core';
import type { GenerationOptions, GenerationResult } from './generation';
import type { SeedSource } from './seed-source';
import type { SpecificationVersion } from './version';

/** The facts about a causal LM that trainers and environments need, whatever its architecture. */
export interface CausalLMInfo {
  /** Architecture name as in Hugging Face's config, e.g. `gpt2`. */
  modelType: string;
  /** Number of token ids the embedding accepts. */
  vocabSize: number;
  /** Longest sequence (prompt + generated) the model accepts. */
  maxPositions: number;
  /** Width of the hidden states (input size of value and reward heads). */
  hiddenSize: number;
  /** Default eos id from the model config, if any. */
  eosTokenId?: number;
  /** Default bos id from the model config, if any. */
  bosTokenId?: number;
}

/** Input of a forward pass. All tensors are int32 and `[batch, seq]`. */
export interface CausalLMInput {
  /** Token ids. Padding positions may hold any valid id. */
  inputIds: Tensor2D;
  /** 1 for real tokens, 0 for padding (left or right). Default: all ones. */
  attentionMask?: Tensor2D;
  /**
   * Position ids. Default, as transformers computes them: cumsum(attentionMask) - 1, clipped at 0,
   * so a left-padded row's first real token is at position 0.
   */
  positionIds?: Tensor2D;
  /** Apply dropout (training mode). Default false. */
  training?: boolean;
  /** Also return the last hidden state (after the final layer norm). Default false. */
  outputHiddenStates?: boolean;
  /**
   * Transforms the token embeddings `[batch, seq, hidden]` before position embeddings are added,
   * in training passes only (ignored when `training` is false). NEFTune adds its noise here.
   */
  embeddingNoise?: (tokenEmbeddings: Tensor3D) => Tensor3D;
  /**
   * Draws the dropout masks of a training pass. Trainers pass their checkpointed generator so a
   * resumed run drops the same units as an uninterrupted one. Default: the model's own generator.
   */
  dropoutRng?: SeedSource;
}

/** Output of a forward pass. The caller owns the tensors (dispose them or run inside `tf.tidy`). */
export interface CausalLMOutput {
  /** Next-token logits, float32 `[batch, seq, vocab]`. */
  logits: Tensor3D;
  /** Last hidden state `[batch, seq, hidden]`, when `outputHiddenStates` was set. */
  hiddenStates?: Tensor3D;
}

/** A named trainable parameter. Names follow the Hugging Face checkpoint keys. */
export interface NamedVariable {
  /** Checkpoint key, e.g. `transformer.h.0.attn.c_attn.weight`. */
  name: string;
  /** The tfjs variable holding the value. */
  variable: Variable;
  /** Whether AdamW should apply weight decay (false for biases and norm weights). */
  decay: boolean;
}

/**
 * A decoder-only language model. Forward passes are synchronous and differentiable, so trainers
 * compute gradients with `tf.variableGrads` over `trainableVariables()`.
 */
export interface CausalLM {
  /** The spec version this implementation was written against; trainers check it before use. */
  readonly specificationVersion: SpecificationVersion;
  /** Architecture facts. */
  readonly info: CausalLMInfo;
  /** Differentiable forward pass. */
  forward(input: CausalLMInput): CausalLMOutput;
  /**
   * Batched generation from ragged prompts (token ids, no padding): the model pads on the left,
   * masks, and uses a KV cache. Returns one result per prompt, in order.
   */
  generate(prompts: readonly (readonly number[])[], options: GenerationOptions): Promise<GenerationResult[]>;
  /** The parameters an optimizer should update (frozen and shared reference layers excluded). */
  trainableVariables(): NamedVariable[];
  /** Writes the model in Hugging Face layout (config.json, model.safetensors) atomically. */
  savePretrained(dir: string): Promise<void>;
  /** Frees every tensor the model owns. */
  dispose(): void;
}
