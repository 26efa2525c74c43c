import type { Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import type { CausalLMInfo, NamedVariable } from './causal-lm';
import type { GenerationOptions, GenerationResult } from './generation';
import type { SeedSource } from './seed-source';
import type { SpecificationVersion } from './version';

/** The facts about an encoder-decoder that trainers need, besides those every language model has. */
export interface Seq2SeqLMInfo extends CausalLMInfo {
  /** The token every decoder sequence starts with (`decoder_start_token_id`). */
  decoderStartTokenId: number;
  /** The config's padding id, if any (encoder prompts are right-padded with it). */
  padTokenId?: number;
}

/** Input of an encoder-decoder forward pass. All tensors are int32. */
export interface Seq2SeqLMInput {
  /** Encoder token ids `[batch, srcLen]`. */
  inputIds: Tensor2D;
  /** 1 for real encoder tokens, 0 for padding `[batch, srcLen]`. Default: all ones. */
  attentionMask?: Tensor2D;
  /** Decoder token ids `[batch, tgtLen]`, starting with the decoder start token (teacher forcing). */
  decoderInputIds: Tensor2D;
  /** 1 for real decoder tokens, 0 for padding `[batch, tgtLen]`. Default: all ones (causal mask only). */
  decoderAttentionMask?: Tensor2D;
  /** Apply dropout (training mode). Default false. */
  training?: boolean;
  /** Also return the decoder's last hidden state. Default false. */
  outputHiddenStates?: boolean;
  /** Draws the dropout masks of a training pass. Default: the model's own generator. */
  dropoutRng?: SeedSource;
}

/** Output of an encoder-decoder forward pass. The caller owns the tensors. */
export interface Seq2SeqLMOutput {
  /** Next-token logits of every decoder position, float32 `[batch, tgtLen, vocab]`. */
  logits: Tensor3D;
  /** The decoder's last hidden state `[batch, tgtLen, hidden]` (before any head scaling), when asked. */
  decoderHiddenStates?: Tensor3D;
}

/**
 * An encoder-decoder language model (transformers' `AutoModelForSeq2SeqLM`: T5, BART). Queries go
 * to the encoder; the decoder produces the response. Forward passes are synchronous and
 * differentiable.
 */
export interface Seq2SeqLM {
  /** The spec version this implementation was written against; trainers check it before use. */
  readonly specificationVersion: SpecificationVersion;
  /** Architecture facts. */
  readonly info: Seq2SeqLMInfo;
  /** Differentiable teacher-forced forward pass. */
  forward(input: Seq2SeqLMInput): Seq2SeqLMOutput;
  /**
   * Batched generation: ragged prompts (no padding) go to the encoder once; the decoder starts
   * from the decoder start token with a KV cache. Results exclude the start token.
   */
  generate(prompts: readonly (readonly number[])[], options: GenerationOptions): Promise<GenerationResult[]>;
  /** The parameters an optimizer should update. */
  trainableVariables(): NamedVariable[];
  /** Writes the model in Hugging Face layout (config.json, model.safetensors) atomically. */
  savePretrained(dir: string): Promise<void>;
  /** Frees every tensor the model owns. */
  dispose(): void;
}
