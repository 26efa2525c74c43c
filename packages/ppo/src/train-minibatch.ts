import { type NamedVariable, type PpoLossConfig, type PpoLossStats, ppoLoss, TrlError, tf } from '@trl/core';
import { type ForwardModel, forwardWindow, layoutBatch, toWindow, windowLabels } from './forward';
import type { Sample } from './samples';

/** A minibatch's samples with their rollout-time targets (one entry per response token). */
export interface MinibatchData {
  /** The samples. */
  samples: Sample[];
  /** Policy log-probs at rollout time. */
  oldLogprobs: Float32Array[];
  /** Masked values at rollout time. */
  values: Float32Array[];
  /** Whitened advantages. */
  advantages: Float32Array[];
  /** Value targets. */
  returns: Float32Array[];
}

/** TRL's per-minibatch statistics (keys without the `ppo/` prefix), read back as numbers. */
export type MinibatchStats = Record<(typeof MINIBATCH_STAT_KEYS)[number], number>;

/** The stats `ppoLoss` reports, under TRL's names, in a fixed order for one batched read. */
const STAT_SOURCES = [
  ['policy/entropy', 'entropy'],
  ['policy/approxkl', 'approxkl'],
  ['policy/policykl', 'policykl'],
  ['policy/clipfrac', 'pgClipfrac'],
  ['policy/advantages_mean', 'advantagesMean'],
  ['policy/ratio', 'ratioMean'],
  ['returns/mean', 'returnsMean'],
  ['returns/var', 'returnsVar'],
  ['val/vpred', 'vpredMean'],
  ['val/error', 'valueError'],
  ['val/clipfrac', 'vfClipfrac'],
  ['val/mean', 'valuesMean'],
  ['val/var', 'valuesVar'],
] as const satisfies readonly (readonly [string, keyof PpoLossStats])[];

/** Every per-minibatch statistic, as TRL's `loss` returns them (prefix `ppo/` when logged). */
export const MINIBATCH_STAT_KEYS = [
  'loss/policy',
  'loss/value',
  'loss/total',
  ...STAT_SOURCES.map(([key]) => key),
] as const;

/** Why a minibatch did not contribute to an update. */
export type SkipReason = 'ratio-threshold' | 'non-finite-loss';

/** What {@link trainMinibatch} returns. */
export interface MinibatchResult {
  /** The statistics (losses unscaled by gradient accumulation). */
  stats: MinibatchStats;
  /** Gradients by tfjs variable name (the caller disposes them), or null when skipped. */
  grads: Map<string, tf.Tensor> | null;
  /** Set when the minibatch was skipped; then `grads` is null. */
  skipped: SkipReason | null;
}

/**
 * One PPO minibatch (TRL `batched_forward_pass` + `loss` + backward): a forward pass over the
 * minibatch padded to its own longest row, the clipped losses of @trl/core's `ppoLoss`, and the
 * gradients of `loss * lossScale` (`1 / minibatches per update` under gradient accumulation).
 * A minibatch whose mean ratio exceeds the threshold, or whose loss is NaN or infinite, returns no
 * gradients, so it cannot move the parameters (TRL zeroed the loss but still stepped the optimizer).
 */
export function trainMinibatch(
  model: ForwardModel,
  data: MinibatchData,
  variables: readonly NamedVariable[],
  lossConfig: PpoLossConfig,
  lossScale: number,
  padTokenId: number,
  decoderStartTokenId?: number,
): MinibatchResult {
  const layout = layoutBatch(data.samples, padTokenId, decoderStartTokenId);
  const inputs = tf.tidy(() => {
    const window = (perSample: readonly ArrayLike<number>[]) => {
      const { values, shape } = toWindow(layout, perSample);
      return tf.tensor2d(values, shape);
    };
    return {
      oldLogprobs: window(data.oldLogprobs),
      values: window(data.values),
      advantages: window(data.advantages),
      returns: window(data.returns),
      mask: window(data.samples.map((sample) => sample.responseMask)),
      labels: windowLabels(layout),
    };
  });
  let statsTensor: tf.Tensor1D | undefined;
  try {
    const { value, grads } = tf.variableGrads(
      () => {
        const forward = forwardWindow(model, layout, inputs.labels);
        if (!forward.values) {
          throw new TrlError(
            'invalid-argument',
            'PPOTrainer: `model.forward` returned no `values`; the policy needs a value head.',
          );
        }
        const output = ppoLoss(
          {
            oldLogprobs: inputs.oldLogprobs,
            values: inputs.values,
            advantages: inputs.advantages,
            returns: inputs.returns,
            mask: inputs.mask,
            logits: forward.logits,
            logprobs: forward.logprobs,
            vpreds: forward.values,
          },
          lossConfig,
        );
        statsTensor = tf.keep(
          tf.stack([
            output.pgLoss,
            output.vfLoss,
            output.loss,
            output.stats.skipped,
            ...STAT_SOURCES.map(([, source]) => output.stats[source]),
          ]) as tf.Tensor1D,
        );
        return tf.mul(output.loss, lossScale) as tf.Scalar;
      },
      variables.map((parameter) => parameter.variable),
    );
    value.dispose();
    const numbers = Array.from((statsTensor as tf.Tensor1D).dataSync());
    const [
      policyLoss = Number.NaN,
      valueLoss = Number.NaN,
      totalLoss = Number.NaN,
      skippedFlag = 0,
      ...rest
    ] = numbers;
    const stats = Object.fromEntries([
      ['loss/policy', policyLoss],
      ['loss/value', valueLoss],
      ['loss/total', totalLoss],
      ...STAT_SOURCES.map(([key], index) => [key, rest[index] as number]),
    ]) as MinibatchStats;
    const skipped: SkipReason | null = !Number.isFinite(totalLoss)
      ? 'non-finite-loss'
      : skippedFlag > 0
        ? 'ratio-threshold'
        : null;
    if (skipped) {
      tf.dispose(grads);
      return { stats, grads: null, skipped };
    }
    return { stats, grads: new Map(Object.entries(grads)), skipped: null };
  } finally {
    tf.dispose(Object.values(inputs));
    statsTensor?.dispose();
  }
}
