import { type KLPenaltyKind, klPenalty, TrlError, tf } from '@trl/core';
import { chunks } from './chunks';
import { type ForwardModel, forwardWindow, fromWindow, layoutBatch } from './forward';
import type { Sample } from './samples';

/** Per-sample rollout quantities, one entry per response token (response-aligned, no padding). */
export interface Rollout {
  /** Policy log-prob of each response token. */
  logprobs: Float32Array[];
  /** Reference-model log-prob of each response token. */
  refLogprobs: Float32Array[];
  /** Value estimate before each response token. */
  values: Float32Array[];
  /**
   * Whole-vocabulary KL(policy || ref) per response token, only for `klPenalty: 'full'`. Computed here,
   * where the logits exist, so no `[batch, steps, vocab]` tensor outlives a chunk.
   */
  fullKl?: Float32Array[];
}

/**
 * The no-gradient forward passes of a PPO step (TRL `step` → `batched_forward_pass` for the policy and
 * the reference), `chunkSize` samples at a time, each chunk padded only to its own longest row.
 * `decoderStartTokenId` marks an encoder-decoder policy (see `layoutBatch`).
 */
export function collectRollout(
  policy: ForwardModel,
  reference: ForwardModel,
  samples: readonly Sample[],
  chunkSize: number,
  padTokenId: number,
  kind: KLPenaltyKind,
  decoderStartTokenId?: number,
): Rollout {
  const rollout: Rollout = {
    logprobs: [],
    refLogprobs: [],
    values: [],
    ...(kind === 'full' ? { fullKl: [] } : {}),
  };
  for (const chunk of chunks(samples, chunkSize)) {
    const layout = layoutBatch(chunk, padTokenId, decoderStartTokenId);
    const tensors = tf.tidy(() => {
      const own = forwardWindow(policy, layout);
      const ref = forwardWindow(reference, layout);
      if (!own.values) {
        throw new TrlError(
          'invalid-argument',
          'PPOTrainer: `model.forward` returned no `values`; the policy needs a value head.',
        );
      }
      const full =
        kind === 'full' ? klPenalty(own.logprobs, ref.logprobs, 'full', own.logits, ref.logits) : undefined;
      return {
        logprobs: own.logprobs,
        refLogprobs: ref.logprobs,
        values: own.values,
        ...(full ? { full } : {}),
      };
    });
    const read = (tensor: tf.Tensor) => tensor.dataSync() as Float32Array;
    const logprobs = read(tensors.logprobs);
    const refLogprobs = read(tensors.refLogprobs);
    const values = read(tensors.values);
    const fullKl = tensors.full ? read(tensors.full) : undefined;
    tf.dispose(tensors);
    chunk.forEach((sample, index) => {
      const length = sample.response.length;
      rollout.logprobs.push(fromWindow(layout, logprobs, index, length));
      rollout.refLogprobs.push(fromWindow(layout, refLogprobs, index, length));
      rollout.values.push(fromWindow(layout, values, index, length));
      if (fullKl) rollout.fullKl?.push(fromWindow(layout, fullKl, index, length));
    });
  }
  return rollout;
}
