import { type CausalLM, entropyFromLogits, logprobsFromLogits, stopGradient, tf } from '@trl/core';

/**
 * TRL's batch layout: prompts left-padded to a common length `P`, completions right-padded to `C`, so
 * column `P - 1 + t` of the logits predicts completion token `t` for every row.
 */
export interface GrpoBatch {
  /** `[rows][P + C]` token ids. */
  inputIds: number[][];
  /** 1 on real tokens. */
  attentionMask: number[][];
  /** Padded prompt length `P`. */
  promptLength: number;
  /** Padded completion length `C`. */
  completionLength: number;
  /** `[rows][C]` completion tokens (pad where the completion is shorter); the log-prob labels. */
  labels: number[][];
  /** `[rows][C]` loss mask: the rollout's mask, 0 on padding. */
  mask: number[][];
}

/** Lays out a rollout as one padded batch. */
export function layoutGrpoBatch(
  promptIds: readonly number[][],
  completionIds: readonly number[][],
  completionMask: readonly number[][],
  padTokenId: number,
): GrpoBatch {
  const promptLength = Math.max(...promptIds.map((ids) => ids.length));
  // At least one completion column, so an all-empty batch still has a well-formed window.
  const completionLength = Math.max(1, ...completionIds.map((ids) => ids.length));
  const pad = (n: number, value: number) => new Array<number>(n).fill(value);
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  const labels: number[][] = [];
  const mask: number[][] = [];
  promptIds.forEach((prompt, row) => {
    const completion = completionIds[row] as number[];
    const left = promptLength - prompt.length;
    const right = completionLength - completion.length;
    const paddedCompletion = [...completion, ...pad(right, padTokenId)];
    inputIds.push([...pad(left, padTokenId), ...prompt, ...paddedCompletion]);
    attentionMask.push([...pad(left, 0), ...pad(prompt.length + completion.length, 1), ...pad(right, 0)]);
    labels.push(paddedCompletion);
    mask.push([...(completionMask[row] as number[]), ...pad(right, 0)]);
  });
  return { inputIds, attentionMask, promptLength, completionLength, labels, mask };
}

/**
 * Per-token log-probs (and optionally entropies) of the completion tokens, from logits divided by the
 * sampling temperature as TRL does. `labels` must be created outside `tf.variableGrads` (its gradient
 * reads them after the forward scope). Differentiable.
 */
export function completionLogprobs(
  model: Pick<CausalLM, 'forward'>,
  batch: GrpoBatch,
  labels: tf.Tensor2D,
  temperature: number,
  withEntropy = false,
): { logprobs: tf.Tensor2D; entropies?: tf.Tensor2D } {
  const rows = batch.inputIds.length;
  const length = batch.promptLength + batch.completionLength;
  const inputIds = tf.tensor2d(batch.inputIds, [rows, length], 'int32');
  const attentionMask = tf.tensor2d(batch.attentionMask, [rows, length], 'int32');
  const { logits } = model.forward({ inputIds, attentionMask, training: false });
  const vocab = logits.shape[2];
  const window = tf.slice(logits, [0, batch.promptLength - 1, 0], [rows, batch.completionLength, vocab]);
  const scaled = (temperature === 1 ? window : tf.div(window, temperature)) as tf.Tensor3D;
  const logprobs = logprobsFromLogits(scaled, labels);
  if (!withEntropy) return { logprobs };
  return { logprobs, entropies: entropyFromLogits(stopGradient(scaled)) };
}
