import { tf } from '@trl/core';

/**
 * Converts rows of token ids (or masks) to one int32 `Tensor1D` per row, the form TRL's
 * `PPOTrainer.step` takes. The caller owns the tensors and must dispose them.
 */
export function toInt32Tensors(rows: readonly (readonly number[])[]): tf.Tensor1D[] {
  return rows.map((row) => tf.tensor1d(row as number[], 'int32'));
}
