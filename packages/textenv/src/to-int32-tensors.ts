import { type Tensor1D, tensor1d } from '@tensorflow/tfjs-core';

/**
 * Converts rows of token ids (or masks) to one int32 `Tensor1D` per row, the form TRL's
 * `PPOTrainer.step` takes. The caller owns the tensors and must dispose them.
 *
 * tfjs-core is a peer dependency, not a private copy: the tensors are created on the app's engine
 * (the one `@trl/core` initialised), so the trainer can use them and `tf.memory()` counts them.
 */
export function toInt32Tensors(rows: readonly (readonly number[])[]): Tensor1D[] {
  return rows.map((row) => tensor1d(row as number[], 'int32'));
}
