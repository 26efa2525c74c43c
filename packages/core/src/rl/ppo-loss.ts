import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';
import { z } from 'zod';
import { entropyFromLogits } from './entropy-from-logits';
import { maskedMeanUnchecked } from './masked-mean';
import { maskedVarUnchecked } from './masked-var';
import { assertMaskSumAbove, assertSameShape, assertTensor, floatMask, MASK_DTYPES } from './validate';

const FN = 'ppoLoss';

/** PPO loss settings, with TRL `PPOConfig`'s defaults. */
export const ppoLossConfigSchema = z.object({
  /** Policy ratio clip range epsilon: the ratio is clipped to [1 - eps, 1 + eps] (TRL `cliprange`, 0.2). */
  cliprange: z.number().min(0).default(0.2),
  /** How far the new value may move from the old one before clipping (TRL `cliprange_value`, 0.2). */
  cliprangeValue: z.number().min(0).default(0.2),
  /** Weight of the value loss in the total (TRL `vf_coef`, 0.1). */
  vfCoef: z.number().min(0).default(0.1),
  /** A batch whose mean ratio exceeds this contributes a zero loss (TRL `ratio_threshold`, 10). */
  ratioThreshold: z.number().positive().default(10),
});

/** Options of {@link ppoLoss}; every field optional, defaults as TRL. */
export type PpoLossConfig = z.input<typeof ppoLossConfigSchema>;

/** Tensors of one PPO minibatch, all float32 `[batch, steps]` except `logits` and `mask`. */
export interface PpoLossInput {
  /** Log-probs of the sampled tokens under the policy that generated them (rollout time). */
  oldLogprobs: tf.Tensor2D;
  /** Value estimates at rollout time (as returned by `computeAdvantages`). */
  values: tf.Tensor2D;
  /** Current policy logits `[batch, steps, vocab]`, for the entropy statistic. */
  logits: tf.Tensor3D;
  /** Current value-head predictions. */
  vpreds: tf.Tensor2D;
  /** Log-probs of the sampled tokens under the current policy (carries the gradient). */
  logprobs: tf.Tensor2D;
  /** 1 on response tokens; float32, int32 or bool. */
  mask: tf.Tensor2D;
  /** Advantages from `computeAdvantages` (whitened). */
  advantages: tf.Tensor2D;
  /** Value targets from `computeAdvantages`. */
  returns: tf.Tensor2D;
}

/** Diagnostics of one PPO minibatch, each a float32 scalar (TRL's `ppo/...` stats). */
export interface PpoLossStats {
  /** Fraction of tokens whose clipped policy term was the larger (active) one. */
  pgClipfrac: tf.Scalar;
  /** Fraction of tokens whose clipped value term was the larger one. */
  vfClipfrac: tf.Scalar;
  /** Mean policy entropy over response tokens. */
  entropy: tf.Scalar;
  /** `0.5 * mean((logprobs - oldLogprobs)^2)`, a second-order KL estimate. */
  approxkl: tf.Scalar;
  /** `mean(oldLogprobs - logprobs)`, the sample KL(old || new). */
  policykl: tf.Scalar;
  /** Masked mean of `exp(logprobs - oldLogprobs)`. */
  ratioMean: tf.Scalar;
  /** Masked mean of the advantages. */
  advantagesMean: tf.Scalar;
  /** Masked mean of the returns. */
  returnsMean: tf.Scalar;
  /** Unbiased masked variance of the returns (NaN with a single response token). */
  returnsVar: tf.Scalar;
  /** Masked mean of the rollout values. */
  valuesMean: tf.Scalar;
  /** Unbiased masked variance of the rollout values (NaN with a single response token). */
  valuesVar: tf.Scalar;
  /** Masked mean of the new value predictions. */
  vpredMean: tf.Scalar;
  /** Masked mean of `(vpreds - returns)^2`. */
  valueError: tf.Scalar;
  /** 1 when the mean ratio exceeded `ratioThreshold` and the losses were zeroed, else 0. */
  skipped: tf.Scalar;
}

/** What {@link ppoLoss} returns; free it all with `tf.dispose(output)`. */
export interface PpoLossOutput {
  /** `pgLoss + vfCoef * vfLoss`: the scalar to differentiate. */
  loss: tf.Scalar;
  /** Clipped surrogate policy loss. */
  pgLoss: tf.Scalar;
  /** Clipped value loss, before `vfCoef`. */
  vfLoss: tf.Scalar;
  /** Diagnostics; not meant to be differentiated. */
  stats: PpoLossStats;
}

/**
 * The PPO-clip objective on response tokens (TRL `PPOTrainer.loss`), all means masked:
 *
 *     vclip     = clamp(vpreds, values - cliprangeValue, values + cliprangeValue)
 *     vfLoss    = 0.5 * mean(max((vpreds - returns)^2, (vclip - returns)^2))
 *     ratio     = exp(logprobs - oldLogprobs)
 *     pgLoss    = mean(max(-A * ratio, -A * clamp(ratio, 1 - cliprange, 1 + cliprange)))
 *     loss      = pgLoss + vfCoef * vfLoss
 *
 * If `mean(ratio) > ratioThreshold` the three losses become 0 (TRL skips such a batch); the test is
 * a tensor op (`stats.skipped`), so no data sync happens on the loss path. Differentiable through `logprobs` and
 * `vpreds` (call it inside `tf.variableGrads`; `tf.keep` the stats there if you need them afterwards).
 * Reads the mask sum once (a small sync) to refuse an empty mask.
 */
export function ppoLoss(input: PpoLossInput, config: PpoLossConfig = {}): PpoLossOutput {
  const parsed = ppoLossConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new TrlError('invalid-value', `${FN}: invalid \`config\`: ${z.prettifyError(parsed.error)}`);
  }
  const { cliprange, cliprangeValue, vfCoef, ratioThreshold } = parsed.data;
  validateInput(input);
  const { oldLogprobs, values, logits, vpreds, logprobs, mask, advantages, returns } = input;

  return tf.tidy(() => {
    const weights = floatMask(mask);
    const mean = (x: tf.Tensor) => maskedMeanUnchecked(x, weights) as tf.Scalar;
    const moreThan = (a: tf.Tensor, b: tf.Tensor) => tf.cast(tf.greater(a, b), 'float32');

    const vpredClipped = tf.minimum(
      tf.maximum(vpreds, tf.sub(values, cliprangeValue)),
      tf.add(values, cliprangeValue),
    );
    const vfLosses = tf.square(tf.sub(vpreds, returns));
    const vfLossesClipped = tf.square(tf.sub(vpredClipped, returns));
    const rawVfLoss = tf.mul(0.5, mean(tf.maximum(vfLosses, vfLossesClipped))) as tf.Scalar;

    const logRatio = tf.sub(logprobs, oldLogprobs);
    const ratio = tf.exp(logRatio);
    const pgLosses = tf.mul(tf.neg(advantages), ratio);
    const pgLossesClipped = tf.mul(tf.neg(advantages), tf.clipByValue(ratio, 1 - cliprange, 1 + cliprange));
    const rawPgLoss = mean(tf.maximum(pgLosses, pgLossesClipped));

    const ratioMean = mean(ratio);
    // step() instead of greater(): comparisons have no gradient in tfjs and this sits on the loss path.
    const skipped = tf.step(tf.sub(ratioMean, ratioThreshold)) as tf.Scalar;
    const keep = tf.sub(1, skipped);
    const pgLoss = tf.mul(rawPgLoss, keep) as tf.Scalar;
    const vfLoss = tf.mul(rawVfLoss, keep) as tf.Scalar;
    const loss = tf.add(pgLoss, tf.mul(vfCoef, vfLoss)) as tf.Scalar;

    const stats = {
      pgClipfrac: mean(moreThan(pgLossesClipped, pgLosses)),
      vfClipfrac: mean(moreThan(vfLossesClipped, vfLosses)),
      entropy: mean(entropyFromLogits(logits)),
      approxkl: tf.mul(0.5, mean(tf.square(logRatio))) as tf.Scalar,
      policykl: mean(tf.neg(logRatio)),
      ratioMean,
      advantagesMean: mean(advantages),
      returnsMean: mean(returns),
      returnsVar: maskedVarUnchecked(returns, weights),
      valuesMean: mean(values),
      valuesVar: maskedVarUnchecked(values, weights),
      vpredMean: mean(vpreds),
      valueError: mean(vfLosses),
      skipped,
    } satisfies PpoLossStats;
    return { loss, pgLoss, vfLoss, stats };
  });
}

/** Reads every stat (one sync each) into plain numbers, e.g. for a tracker. Does not dispose. */
export function ppoStatsToNumbers(stats: PpoLossStats): Record<keyof PpoLossStats, number> {
  const entries = Object.entries(stats).map(([key, tensor]) => [key, (tensor as tf.Scalar).dataSync()[0]]);
  return Object.fromEntries(entries) as Record<keyof PpoLossStats, number>;
}

function validateInput(input: PpoLossInput): void {
  if (typeof input !== 'object' || input === null) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`input\` must be an object of tensors (oldLogprobs, values, logits, ...).`,
    );
  }
  assertTensor(FN, 'logprobs', input.logprobs, { dtypes: ['float32'], rank: 2 });
  const perToken = ['oldLogprobs', 'values', 'vpreds', 'advantages', 'returns'] as const;
  for (const name of perToken) {
    assertTensor(FN, name, input[name], { dtypes: ['float32'], rank: 2 });
    assertSameShape(FN, name, input[name], 'logprobs', input.logprobs);
  }
  assertTensor(FN, 'mask', input.mask, { dtypes: MASK_DTYPES, rank: 2 });
  assertSameShape(FN, 'mask', input.mask, 'logprobs', input.logprobs);
  assertTensor(FN, 'logits', input.logits, { dtypes: ['float32'], rank: 3 });
  const [batch, steps] = input.logprobs.shape;
  if (input.logits.shape[0] !== batch || input.logits.shape[1] !== steps) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`logits\` has shape [${input.logits.shape.join(', ')}] but \`logprobs\` has shape ` +
        `[${batch}, ${steps}]; logits must be [batch, steps, vocab].`,
    );
  }
  assertMaskSumAbove(
    FN,
    'mask',
    input.mask,
    0,
    'it selects no response token; pass a mask with 1 on the response tokens.',
  );
}
