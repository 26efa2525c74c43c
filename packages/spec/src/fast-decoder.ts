/**
 * An optional accelerator for generation: a whole pre-norm GPT-2-style decoding step in one call
 * (for example native code) instead of a few hundred tensor ops. Models offer their weights as
 * host arrays; a provider may decline a shape it does not support. Without a registered provider,
 * models generate with tensor ops as usual.
 */

/** Sizes of a pre-norm decoder (GPT-2's architecture: learned positions, gelu_new MLP). */
export interface PreNormDecoderShape {
  /** Number of transformer blocks. */
  readonly layers: number;
  /** Hidden size `d`. */
  readonly width: number;
  /** Attention heads; `width` is a multiple of it. */
  readonly heads: number;
  /** Vocabulary size (rows of the token embedding and the LM head). */
  readonly vocabSize: number;
  /** Rows of the position embedding. */
  readonly maxPositions: number;
  /** Width of the MLP's hidden layer. */
  readonly innerWidth: number;
  /** Epsilon of every layer norm. */
  readonly layerNormEpsilon: number;
  /** The MLP activation; only GPT-2's tanh GELU is defined so far. */
  readonly activation: 'gelu_new';
}

/** One block's weights, row-major, projections as `[in, out]` (GPT-2's Conv1D layout). */
export interface PreNormDecoderLayerWeights {
  /** Scale of the norm before attention `[d]`. */
  readonly ln1Weight: Float32Array;
  /** Shift of the norm before attention `[d]`. */
  readonly ln1Bias: Float32Array;
  /** Fused query, key and value projection `[d, 3d]`. */
  readonly qkvWeight: Float32Array;
  /** Its bias `[3d]`. */
  readonly qkvBias: Float32Array;
  /** Attention output projection `[d, d]`. */
  readonly outWeight: Float32Array;
  /** Its bias `[d]`. */
  readonly outBias: Float32Array;
  /** Scale of the norm before the MLP `[d]`. */
  readonly ln2Weight: Float32Array;
  /** Shift of the norm before the MLP `[d]`. */
  readonly ln2Bias: Float32Array;
  /** MLP up projection `[d, inner]`. */
  readonly upWeight: Float32Array;
  /** Its bias `[inner]`. */
  readonly upBias: Float32Array;
  /** MLP down projection `[inner, d]`. */
  readonly downWeight: Float32Array;
  /** Its bias `[d]`. */
  readonly downBias: Float32Array;
}

/** Every weight a decoder needs, as host arrays the provider may copy. */
export interface PreNormDecoderWeights {
  /** Token embedding `[vocab, d]`; also the LM head unless `lmHead` is given. */
  readonly tokenEmbedding: Float32Array;
  /** Position embedding `[maxPositions, d]`. */
  readonly positionEmbedding: Float32Array;
  /** The blocks, in order. */
  readonly layers: readonly PreNormDecoderLayerWeights[];
  /** Scale of the final norm `[d]`. */
  readonly finalNormWeight: Float32Array;
  /** Shift of the final norm `[d]`. */
  readonly finalNormBias: Float32Array;
  /** An untied LM head `[vocab, d]`, when the model has one. */
  readonly lmHead?: Float32Array;
}

/** New tokens for every row of the batch, row-major `[rows, length]`. */
export interface FastDecoderInput {
  /** Token ids. */
  readonly tokens: Int32Array;
  /** Position ids. */
  readonly positions: Int32Array;
  /** 1 for real tokens, 0 for (left) padding, which is never attended. */
  readonly mask: Int32Array;
  /** Rows in this call. */
  readonly rows: number;
  /** New tokens per row. */
  readonly length: number;
  /**
   * Which rows of the previous call continue, increasing, one per row of this call; omit when all
   * of them do. Dropped rows' caches are freed.
   */
  readonly keep?: Int32Array;
}

/** A decoder holding its own key/value cache; its weights are a snapshot taken at creation. */
export interface FastDecoder {
  /**
   * Appends the input's tokens to the cache and returns the logits of each row's last new token,
   * `[rows, vocab]` row-major. The array may be reused by the next call: copy what you keep.
   */
  forward(input: FastDecoderInput): Float32Array;
  /** Frees the weights and the cache. */
  dispose(): void;
}

/** Builds fast decoders; registered with `registerFastDecoderProvider`. */
export interface FastDecoderProvider {
  /** Shown in diagnostics, e.g. `@trl/native`. */
  readonly name: string;
  /**
   * A decoder for these weights with room for `maxRows` rows of `maxLength` tokens, or undefined
   * when this provider cannot run the shape (the caller then uses tensor ops).
   */
  create(
    shape: PreNormDecoderShape,
    weights: PreNormDecoderWeights,
    limits: FastDecoderLimits,
  ): FastDecoder | undefined;
}

/** How much cache a fast decoder must reserve. */
export interface FastDecoderLimits {
  /** Most rows any call will pass. */
  readonly maxRows: number;
  /** Most tokens (prompt and generated) any row will reach. */
  readonly maxLength: number;
}
