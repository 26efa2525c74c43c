import { type Rng, TrlError, tf } from '@trl/core';

/**
 * NEFTune (Jain et al., 2023): adds uniform noise in [-m, m] with m = α / √(L·d) to the token
 * embeddings `[batch, L, d]` during training (L the padded sequence length, d the width), as
 * transformers' `neftune_post_forward_hook`. The noise is drawn from a seed taken from `rng`, so a
 * resumed run draws the same noise.
 */
export function neftuneNoise(embeddings: tf.Tensor3D, alpha: number, rng: Rng): tf.Tensor3D {
  if (!(typeof alpha === 'number' && Number.isFinite(alpha) && alpha > 0)) {
    throw new TrlError(
      'invalid-argument',
      `neftuneNoise: \`alpha\` must be a number > 0, got ${String(alpha)}.`,
    );
  }
  const [, length, width] = embeddings.shape;
  const magnitude = alpha / Math.sqrt(length * width);
  return tf.tidy(() =>
    tf.add(embeddings, tf.randomUniform(embeddings.shape, -magnitude, magnitude, 'float32', rng.nextSeed())),
  );
}
