import { type CausalLM, logprobsFromLogits, type SeedSource, tf } from '@trl/core';
import type { DPOBatch } from './collate';

/** Summed completion log-probs of every row of a batch, plus each row's completion token count. */
export interface SequenceLogps {
  /** `[2n]`: rows 0..n-1 chosen, n..2n-1 rejected. */
  logps: tf.Tensor1D;
  /** `[2n]` completion tokens counted in each sum. */
  lengths: tf.Tensor1D;
}

/**
 * One forward over the concatenated chosen+rejected batch (TRL's `concatenated_forward`): position t
 * scores token t+1, and only completion tokens count. Differentiable through the model.
 */
export function sequenceLogps(
  model: CausalLM,
  batch: DPOBatch,
  options: { training?: boolean; dropoutRng?: SeedSource } = {},
): SequenceLogps {
  return tf.tidy(() => {
    const rows = batch.inputIds.length;
    const length = batch.inputIds[0]?.length ?? 0;
    const { logits } = model.forward({
      inputIds: tf.tensor2d(batch.inputIds, [rows, length], 'int32'),
      attentionMask: tf.tensor2d(batch.attentionMask, [rows, length], 'int32'),
      training: options.training ?? false,
      ...(options.dropoutRng === undefined ? {} : { dropoutRng: options.dropoutRng }),
    });
    const vocab = logits.shape[2];
    const shifted = tf.slice(logits, [0, 0, 0], [rows, length - 1, vocab]) as tf.Tensor3D;
    const targets = tf.tensor2d(
      batch.inputIds.map((row) => row.slice(1)),
      [rows, length - 1],
      'int32',
    );
    const mask = tf.tensor2d(
      batch.completionMask.map((row) => row.slice(1)),
      [rows, length - 1],
      'float32',
    );
    const perToken = logprobsFromLogits(shifted, targets);
    return {
      logps: tf.sum(tf.mul(perToken, mask), 1) as tf.Tensor1D,
      lengths: tf.sum(mask, 1) as tf.Tensor1D,
    };
  });
}
