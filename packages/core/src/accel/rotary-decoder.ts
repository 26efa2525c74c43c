import type { FastDecoder, FastDecoderLimits, FastDecoderProvider } from '@trl/spec';

/**
 * Sizes and switches of a Llama-style decoder: RMSNorm, rotary positions, grouped-query attention
 * and a SwiGLU MLP (Llama, Mistral, Qwen2, Qwen3, SmolLM). Which optional weights are present
 * (biases, q/k norms, an untied head) is read from the weights themselves.
 */
export interface RotaryDecoderShape {
  /** Decoder layers. */
  readonly layers: number;
  /** Hidden width. */
  readonly hidden: number;
  /** Query heads; a multiple of `kvHeads`. */
  readonly heads: number;
  /** Key/value heads (grouped-query attention when fewer than `heads`). */
  readonly kvHeads: number;
  /** Width of one head (not necessarily `hidden / heads`); even. */
  readonly headDim: number;
  /** Vocabulary size (rows of the embedding and of the LM head). */
  readonly vocabSize: number;
  /** SwiGLU inner width. */
  readonly intermediate: number;
  /** Epsilon of every RMSNorm. */
  readonly rmsNormEpsilon: number;
}

/** A projection, row-major `[in, out]`, with its optional bias `[out]`. */
export interface RotaryDecoderLinear {
  /** `[in, out]` weight. */
  readonly weight: Float32Array;
  /** `[out]` bias, when the model has one. */
  readonly bias?: Float32Array;
}

/** One layer's weights. */
export interface RotaryDecoderLayerWeights {
  /** RMSNorm scale before attention `[hidden]`. */
  readonly inputNorm: Float32Array;
  /** Query projection `[hidden, heads * headDim]`. */
  readonly q: RotaryDecoderLinear;
  /** Key projection `[hidden, kvHeads * headDim]`. */
  readonly k: RotaryDecoderLinear;
  /** Value projection `[hidden, kvHeads * headDim]`. */
  readonly v: RotaryDecoderLinear;
  /** Output projection `[heads * headDim, hidden]`. */
  readonly o: RotaryDecoderLinear;
  /** Per-head RMSNorm of queries before RoPE `[headDim]` (Qwen3); keys have one too when it is set. */
  readonly qNorm?: Float32Array;
  /** Per-head RMSNorm of keys before RoPE `[headDim]`, present exactly when `qNorm` is. */
  readonly kNorm?: Float32Array;
  /** RMSNorm scale before the MLP `[hidden]`. */
  readonly postAttentionNorm: Float32Array;
  /** SwiGLU gate `[hidden, intermediate]`. */
  readonly gate: RotaryDecoderLinear;
  /** SwiGLU up projection `[hidden, intermediate]`. */
  readonly up: RotaryDecoderLinear;
  /** SwiGLU down projection `[intermediate, hidden]`. */
  readonly down: RotaryDecoderLinear;
}

/** Every weight of a rotary decoder, as host arrays the provider may copy. */
export interface RotaryDecoderWeights {
  /** Token embedding `[vocab, hidden]`; also the LM head unless `lmHead` is given. */
  readonly tokenEmbedding: Float32Array;
  /** The layers, in order. */
  readonly layers: readonly RotaryDecoderLayerWeights[];
  /** Final RMSNorm scale `[hidden]`. */
  readonly finalNorm: Float32Array;
  /** An untied LM head `[vocab, hidden]`, when the model has one. */
  readonly lmHead?: Float32Array;
  /**
   * RoPE's inverse frequencies `[headDim / 2]` after the model's scaling (llama3, linear): the
   * decoder rotates pair `i` at position `p` by `float32(p) * inverseFrequencies[i]`, as the tensor model does.
   */
  readonly inverseFrequencies: Float32Array;
}

/**
 * The `fastDecoder` capability: GPT-2-style decoders through `create`, and Llama-style ones through
 * the optional `createRotary` (a provider without it serves GPT-2 only).
 */
export interface FastDecoderCapability extends FastDecoderProvider {
  /**
   * A decoder for a Llama-style model with room for `maxRows` rows of `maxLength` tokens, or
   * undefined when the provider cannot run the shape (the caller then uses tensor ops).
   */
  createRotary?(
    shape: RotaryDecoderShape,
    weights: RotaryDecoderWeights,
    limits: FastDecoderLimits,
  ): FastDecoder | undefined;
}
