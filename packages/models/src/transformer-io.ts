import type { SeedSource, tf } from '@trl/core';

/**
 * The interface between a decoder body and the code that drives it token by token (generation,
 * heads): what one pass takes and returns, whatever the architecture.
 */

/** Keys and values of one layer for the tokens seen so far, `[batch, heads, seen, head_dim]`. */
export type LayerCache = {
  /** Cached keys. */
  readonly key: tf.Tensor4D;
  /** Cached values. */
  readonly value: tf.Tensor4D;
};

/** Everything the transformer body needs for one pass; tensors are int32 `[batch, seq]`. */
export interface TransformerInput {
  /** Token ids `[batch, seq]`. */
  readonly inputIds: tf.Tensor2D;
  /** Mask over past + current tokens `[batch, past + seq]`, 1 for real tokens. */
  readonly attentionMask: tf.Tensor2D;
  /** Positions of the current tokens `[batch, seq]`. */
  readonly positionIds: tf.Tensor2D;
  /** Apply dropout. */
  readonly training: boolean;
  /** Cached keys/values of earlier tokens, one entry per layer. */
  readonly past?: readonly LayerCache[];
  /** Return the updated cache (generation); otherwise none is built. */
  readonly useCache?: boolean;
  /** Applied to the token embeddings in training passes (NEFTune). */
  readonly embeddingNoise?: (tokenEmbeddings: tf.Tensor3D) => tf.Tensor3D;
  /** Generator of the dropout masks; default the model's own. */
  readonly dropoutRng?: SeedSource;
}

/** Result of the transformer body. */
export interface TransformerOutput {
  /** Hidden states after the final norm `[batch, seq, d]`. */
  readonly hidden: tf.Tensor3D;
  /** The cache including the current tokens, when `useCache` was set. */
  readonly present?: LayerCache[];
}
