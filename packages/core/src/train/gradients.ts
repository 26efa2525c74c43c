import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';

/**
 * Gradients by name: the `grads` record `tf.variableGrads` returns (keyed by tfjs variable name), or
 * a record/map keyed by checkpoint name (`NamedVariable.name`).
 */
export type GradientMap = Readonly<Record<string, tf.Tensor>> | ReadonlyMap<string, tf.Tensor>;

/** The entries of a {@link GradientMap}, in insertion order. */
export function gradientEntries(grads: GradientMap): [string, tf.Tensor][] {
  return grads instanceof Map ? [...grads.entries()] : Object.entries(grads);
}

/** Throws unless `grads` is a record or map of live float32 tensors; the message names the key. */
export function assertGradientMap(fn: string, grads: unknown): asserts grads is GradientMap {
  if (grads === null || typeof grads !== 'object') {
    throw new TrlError(
      'invalid-argument',
      `${fn}: \`grads\` must be a record or Map of tensors (e.g. tf.variableGrads(...).grads).`,
    );
  }
  for (const [name, grad] of gradientEntries(grads as GradientMap)) {
    if (!(grad instanceof tf.Tensor))
      throw new TrlError('invalid-argument', `${fn}: \`grads["${name}"]\` must be a tf.Tensor.`);
    if (grad.isDisposed)
      throw new TrlError('invalid-argument', `${fn}: \`grads["${name}"]\` was already disposed.`);
    if (grad.dtype !== 'float32') {
      throw new TrlError(
        'invalid-argument',
        `${fn}: \`grads["${name}"]\` must be float32, got ${grad.dtype}.`,
      );
    }
  }
}

/**
 * Names of the gradients holding NaN or ±Infinity, found with one data read for all of them
 * (a per-tensor read would stall the backend once per parameter).
 */
export function nonFiniteGradientNames(entries: readonly [string, tf.Tensor][]): string[] {
  if (entries.length === 0) return [];
  const flags = tf.tidy(() => tf.stack(entries.map(([, grad]) => tf.all(tf.isFinite(grad)).cast('int32'))));
  const finite = flags.dataSync();
  flags.dispose();
  return entries.filter((_, index) => finite[index] === 0).map(([name]) => name);
}
