import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';
import { assertGradientMap, gradientEntries, nonFiniteGradientNames } from './gradients';

/** A gradient container `clipGradNorm` may rewrite in place, such as `tf.variableGrads(...).grads`. */
export type MutableGradientMap = Record<string, tf.Tensor> | Map<string, tf.Tensor>;

/** Options of {@link clipGradNorm}. */
export interface ClipGradNormOptions {
  /** Throw (naming the offending gradients) when the total norm is NaN or infinite. Default false, as torch. */
  errorIfNonfinite?: boolean;
}

/**
 * Rescales gradients so their global L2 norm (over all tensors together) is at most `maxNorm`, like
 * `torch.nn.utils.clip_grad_norm_`: every gradient is multiplied by min(1, maxNorm / (norm + 1e-6)).
 *
 * Works in place, as torch does: scaled entries replace the originals in `grads` (the originals are
 * disposed), so disposing `grads` afterwards still frees everything. Returns the norm measured before
 * clipping — log it. A NaN or infinite norm is returned as is and the gradients are left untouched
 * (torch would turn them all into NaN); pass `errorIfNonfinite` to throw instead.
 */
export function clipGradNorm(
  grads: MutableGradientMap,
  maxNorm: number,
  options: ClipGradNormOptions = {},
): number {
  const fn = 'clipGradNorm';
  assertGradientMap(fn, grads);
  if (typeof maxNorm !== 'number' || !Number.isFinite(maxNorm) || maxNorm <= 0) {
    throw new TrlError(
      'invalid-argument',
      `${fn}: \`maxNorm\` must be a finite number > 0 (TRL's max_grad_norm, e.g. 1.0), got ${String(maxNorm)}.`,
    );
  }
  const entries = gradientEntries(grads);
  if (entries.length === 0) return 0;
  // sqrt(Σ g²) over everything: square+sum is several times faster than tf.norm (abs+pow) on wasm.
  const total = tf.tidy(() => tf.sqrt(tf.sum(tf.stack(entries.map(([, grad]) => tf.sum(tf.square(grad)))))));
  const norm = total.dataSync()[0] as number;
  total.dispose();
  if (!Number.isFinite(norm)) {
    if (options.errorIfNonfinite) {
      const names = nonFiniteGradientNames(entries);
      throw new TrlError(
        'non-finite-value',
        `${fn}: the total gradient norm is ${norm}` +
          (names.length > 0
            ? `; non-finite values in ${names.map((name) => `"${name}"`).join(', ')}.`
            : ' (overflow).'),
      );
    }
    return norm;
  }
  const scale = Math.min(1, maxNorm / (norm + 1e-6));
  if (scale < 1) {
    for (const [name, grad] of entries) {
      const scaled = tf.mul(grad, scale);
      if (grads instanceof Map) grads.set(name, scaled);
      else grads[name] = scaled;
      grad.dispose();
    }
  }
  return norm;
}
