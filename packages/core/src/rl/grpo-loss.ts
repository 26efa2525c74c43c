import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';
import { z } from 'zod';
import { nanMax, nanMin } from './nan-stats';
import { stopGradient } from './stop-gradient';
import { assertSameShape, assertTensor, floatMask, MASK_DTYPES } from './validate';

const FN = 'grpoLoss';

/** GRPO's per-token loss variants (TRL `loss_type`); 'luspo' and 'vespo' are not ported. */
export const GRPO_LOSS_TYPES = ['grpo', 'dr_grpo', 'dapo', 'bnpo', 'cispo', 'sapo'] as const;
/** One of {@link GRPO_LOSS_TYPES}. */
export type GrpoLossType = (typeof GRPO_LOSS_TYPES)[number];

/** Where the importance ratio lives (TRL `importance_sampling_level`): per token, or one per sequence (GSPO). */
export const IMPORTANCE_SAMPLING_LEVELS = ['token', 'sequence'] as const;
/** One of {@link IMPORTANCE_SAMPLING_LEVELS}. */
export type ImportanceSamplingLevel = (typeof IMPORTANCE_SAMPLING_LEVELS)[number];

/** GRPO loss settings, with TRL 1.13 `GRPOConfig`'s defaults. */
export const grpoLossConfigSchema = z.strictObject({
  /** TRL `loss_type`, default `'dapo'`. */
  lossType: z.enum(GRPO_LOSS_TYPES).default('dapo'),
  /** Lower clip: the ratio is kept above `1 - epsilon` (TRL `epsilon`, 0.2). */
  epsilon: z.number().min(0).default(0.2),
  /** Upper clip `1 + epsilonHigh` (TRL `epsilon_high`, default `epsilon`); for 'cispo' the ratio's cap itself. */
  epsilonHigh: z.number().min(0).optional(),
  /** Two-sided clipping: the unclipped ratio is also capped at `delta` (TRL `delta`, off by default). */
  delta: z.number().positive().optional(),
  /** Weight of the k3 KL term against the reference (TRL `beta`, 0: no reference needed). */
  beta: z.number().min(0).default(0),
  /** TRL `importance_sampling_level`, default `'token'`. */
  importanceSamplingLevel: z.enum(IMPORTANCE_SAMPLING_LEVELS).default('token'),
  /** Multiply the KL term by the importance ratio (TRL `use_bias_correction_kl`, default true). */
  useBiasCorrectionKl: z.boolean().default(true),
  /** 'dr_grpo' divides by `rows * maxCompletionLength` (TRL `max_completion_length`, 512). */
  maxCompletionLength: z.number().int().positive().default(512),
  /** 'sapo' temperature for positive advantages (TRL `sapo_temperature_pos`, 1). */
  sapoTemperaturePos: z.number().positive().default(1),
  /** 'sapo' temperature for the others (TRL `sapo_temperature_neg`, 1.05). */
  sapoTemperatureNeg: z.number().positive().default(1.05),
  /** Micro-batches per optimizer step; the loss is divided by it (TRL's accumulation scaling). Default 1. */
  gradientAccumulationSteps: z.number().int().positive().default(1),
  /** Optimizer micro-batches one generation batch feeds (TRL `steps_per_generation`, default accumulation steps). */
  stepsPerGeneration: z.number().int().positive().optional(),
});

/** Options of {@link grpoLoss}; every field optional, defaults as TRL 1.13. */
export type GrpoLossConfig = z.input<typeof grpoLossConfigSchema>;

/** Tensors of one GRPO micro-batch; per-token ones are float32 `[rows, steps]`. */
export interface GrpoLossInput {
  /** Log-probs of the completion tokens under the current policy (carries the gradient). */
  logprobs: tf.Tensor2D;
  /** Log-probs at generation time; omit when `numIterations` is 1 (then `stopGradient(logprobs)` is used). */
  oldLogprobs?: tf.Tensor2D;
  /** Reference-model log-probs; required when `beta > 0`. */
  refLogprobs?: tf.Tensor2D;
  /** From {@link grpoAdvantages}: `[rows]`, or `[rows, steps]` for per-token advantages. */
  advantages: tf.Tensor1D | tf.Tensor2D;
  /** 1 on completion tokens that count (0 on padding and tool output); float32, int32 or bool. */
  mask: tf.Tensor2D;
  /** Per-token policy entropy, only for the `entropy` stat. */
  entropies?: tf.Tensor2D;
  /**
   * 'dapo' / 'cispo': completion tokens in the whole generation batch (TRL `num_items_in_batch`);
   * default this micro-batch's mask sum. The divisor is `max(n, 1) * accumulation / stepsPerGeneration`.
   */
  numItemsInBatch?: number;
}

/** What TRL logs from its loss, each a float32 scalar; absent where TRL does not log it. */
export type GrpoLossStats = {
  /** TRL `kl`: masked mean of the (bias-corrected) k3 KL; only when `beta > 0`. */
  kl?: tf.Scalar;
  /** TRL `entropy`: masked mean of `entropies`; only when given. */
  entropy?: tf.Scalar;
  /** TRL `clip_ratio/low_mean`: share of tokens with ratio < 1 - epsilon and a negative advantage. */
  clipRatioLowMean?: tf.Scalar;
  /** TRL `clip_ratio/high_mean`: share with ratio > 1 + epsilonHigh and a positive advantage. */
  clipRatioHighMean?: tf.Scalar;
  /** TRL `clip_ratio/region_mean`: share clipped either way. */
  clipRatioRegionMean?: tf.Scalar;
  /** TRL `clip_ratio/low_min`: smallest per-sequence low-clip share. */
  clipRatioLowMin?: tf.Scalar;
  /** TRL `clip_ratio/high_max`: largest per-sequence high-clip share. */
  clipRatioHighMax?: tf.Scalar;
  /** TRL `cispo_clip_ratio`: share with ratio > epsilonHigh and a positive advantage ('cispo' only). */
  cispoClipRatio?: tf.Scalar;
};

/** TRL's metric name of each {@link GrpoLossStats} field. */
export const GRPO_LOSS_METRIC_NAMES: Readonly<Record<keyof GrpoLossStats, string>> = {
  kl: 'kl',
  entropy: 'entropy',
  clipRatioLowMean: 'clip_ratio/low_mean',
  clipRatioHighMean: 'clip_ratio/high_mean',
  clipRatioRegionMean: 'clip_ratio/region_mean',
  clipRatioLowMin: 'clip_ratio/low_min',
  clipRatioHighMax: 'clip_ratio/high_max',
  cispoClipRatio: 'cispo_clip_ratio',
};

/** What {@link grpoLoss} returns; free it all with `tf.dispose(output)`. */
export interface GrpoLossOutput {
  /** The scalar to differentiate (already divided for gradient accumulation). */
  loss: tf.Scalar;
  /** The loss before the accumulation division, as TRL logs `policy_loss`. */
  policyLoss: tf.Scalar;
  /** Diagnostics; not meant to be differentiated. */
  stats: GrpoLossStats;
}

/**
 * The GRPO objective on one micro-batch (TRL 1.13 `GRPOTrainer._compute_loss`). With `A` the advantages
 * (broadcast over tokens), `m` the mask, `lr = logprobs - oldLogprobs`:
 *
 *     w      = lr                                  'token'
 *            = sum(lr * m, -1) / max(sum(m, -1), 1)  'sequence' (one weight per row)
 *     r      = exp(w)
 *     kl     = exp(ref - logprobs) - (ref - logprobs) - 1      (k3), times r if useBiasCorrectionKl
 *     grpo, dr_grpo, dapo, bnpo:  L = -min(min(r, delta) * A, clamp(r, 1 - eps, 1 + epsHigh) * A)
 *     cispo:                      L = -sg(min(r, epsHigh)) * A * logprobs
 *     sapo:                       L = -sigmoid(t * (r - 1)) * 4 / t * A,   t = A > 0 ? tPos : tNeg
 *     L     += beta * kl
 *
 * then reduced over masked tokens: 'grpo'/'sapo' mean per row then over rows; 'bnpo' over all tokens;
 * 'dr_grpo' sum / (rows * maxCompletionLength); 'dapo'/'cispo' sum / numItemsInBatch. All but dapo/cispo
 * are then divided by `gradientAccumulationSteps` (dapo/cispo fold it into their divisor, as TRL). As in
 * TRL, the clip stats use the ratio after the `delta` cap. No data sync; call it inside `tf.variableGrads`.
 */
export function grpoLoss(input: GrpoLossInput, config: GrpoLossConfig = {}): GrpoLossOutput {
  const parsed = grpoLossConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new TrlError('invalid-value', `${FN}: invalid \`config\`: ${z.prettifyError(parsed.error)}`);
  }
  const c = parsed.data;
  const epsilonLow = c.epsilon;
  const epsilonHigh = c.epsilonHigh ?? c.epsilon;
  const stepsPerGeneration = c.stepsPerGeneration ?? c.gradientAccumulationSteps;
  validateInput(input, c.beta);
  const { logprobs, refLogprobs, entropies, numItemsInBatch } = input;
  const rows = logprobs.shape[0];

  return tf.tidy(() => {
    const mask = floatMask(input.mask);
    const advantages = input.advantages.rank === 1 ? input.advantages.reshape([rows, 1]) : input.advantages;
    const oldLogprobs = input.oldLogprobs ?? stopGradient(logprobs);
    const rowTokens = tf.sum(mask, -1, true);
    const totalTokens = tf.sum(mask);

    const logRatio = tf.sub(logprobs, oldLogprobs);
    const logWeights =
      c.importanceSamplingLevel === 'token'
        ? logRatio
        : tf.div(tf.sum(tf.mul(logRatio, mask), -1, true), tf.maximum(rowTokens, 1));
    let ratio = tf.exp(logWeights);

    let perTokenKl: tf.Tensor | undefined;
    if (c.beta !== 0) {
      const refMinusPolicy = tf.sub(refLogprobs as tf.Tensor2D, logprobs);
      perTokenKl = tf.sub(tf.sub(tf.exp(refMinusPolicy), refMinusPolicy), 1);
      if (c.useBiasCorrectionKl) perTokenKl = tf.mul(perTokenKl, ratio);
    }

    let perTokenLoss: tf.Tensor;
    if (c.lossType === 'cispo') {
      const capped = stopGradient(tf.minimum(ratio, epsilonHigh));
      perTokenLoss = tf.neg(tf.mul(tf.mul(capped, advantages), logprobs));
    } else if (c.lossType === 'sapo') {
      const temperature = tf.where(
        tf.greater(advantages, 0),
        tf.fill(advantages.shape, c.sapoTemperaturePos),
        tf.fill(advantages.shape, c.sapoTemperatureNeg),
      );
      const soft = tf.div(tf.mul(tf.sigmoid(tf.mul(temperature, tf.sub(ratio, 1))), 4), temperature);
      perTokenLoss = tf.neg(tf.mul(soft, advantages));
    } else {
      const clipped = tf.clipByValue(ratio, 1 - epsilonLow, 1 + epsilonHigh);
      if (c.delta !== undefined) ratio = tf.minimum(ratio, c.delta);
      perTokenLoss = tf.neg(tf.minimum(tf.mul(ratio, advantages), tf.mul(clipped, advantages)));
    }
    if (perTokenKl !== undefined) perTokenLoss = tf.add(perTokenLoss, tf.mul(c.beta, perTokenKl));

    const maskedSum = tf.sum(tf.mul(perTokenLoss, mask));
    let policyLoss: tf.Scalar;
    let loss: tf.Scalar;
    if (c.lossType === 'dapo' || c.lossType === 'cispo') {
      const items = numItemsInBatch === undefined ? totalTokens : tf.scalar(numItemsInBatch);
      const divisor = tf.mul(tf.maximum(items, 1), c.gradientAccumulationSteps / stepsPerGeneration);
      policyLoss = tf.div(maskedSum, divisor) as tf.Scalar;
      loss = policyLoss;
    } else {
      if (c.lossType === 'grpo' || c.lossType === 'sapo') {
        const perRow = tf.div(
          tf.sum(tf.mul(perTokenLoss, mask), -1),
          tf.maximum(tf.squeeze(rowTokens, [1]), 1),
        );
        policyLoss = tf.mean(perRow) as tf.Scalar;
      } else if (c.lossType === 'bnpo') {
        policyLoss = tf.div(maskedSum, tf.maximum(totalTokens, 1)) as tf.Scalar;
      } else {
        policyLoss = tf.div(maskedSum, rows * c.maxCompletionLength) as tf.Scalar;
      }
      loss = tf.div(policyLoss, c.gradientAccumulationSteps) as tf.Scalar;
    }

    // TRL's global_masked_mean: a [rows, 1] (sequence-level) value counts once per row.
    const globalMean = (x: tf.Tensor): tf.Scalar =>
      (x.shape[1] === 1
        ? tf.div(tf.sum(x), Math.max(rows, 1))
        : tf.div(tf.sum(tf.mul(x, mask)), tf.maximum(totalTokens, 1))) as tf.Scalar;
    const perRowMean = (x: tf.Tensor): tf.Tensor =>
      x.shape[1] === 1 ? tf.squeeze(x, [1]) : tf.div(tf.sum(tf.mul(x, mask), -1), tf.sum(mask, -1));
    const both = (a: tf.Tensor, b: tf.Tensor) => tf.cast(tf.logicalAnd(a, b), 'float32');

    const stats: GrpoLossStats = {};
    if (perTokenKl !== undefined) stats.kl = globalMean(perTokenKl);
    if (entropies !== undefined) stats.entropy = globalMean(entropies);
    if (c.lossType === 'cispo') {
      stats.cispoClipRatio = globalMean(both(tf.greater(ratio, epsilonHigh), tf.greater(advantages, 0)));
    } else if (c.lossType !== 'sapo') {
      const low = both(tf.less(ratio, 1 - epsilonLow), tf.less(advantages, 0));
      const high = both(tf.greater(ratio, 1 + epsilonHigh), tf.greater(advantages, 0));
      stats.clipRatioLowMean = globalMean(low);
      stats.clipRatioHighMean = globalMean(high);
      stats.clipRatioRegionMean = globalMean(tf.maximum(low, high));
      stats.clipRatioLowMin = nanMin(perRowMean(low));
      stats.clipRatioHighMax = nanMax(perRowMean(high));
    }
    return { loss, policyLoss, stats };
  });
}

/** Reads every present stat (one sync each) into TRL's metric names, e.g. for a tracker. Does not dispose. */
export function grpoStatsToMetrics(stats: GrpoLossStats): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [key, tensor] of Object.entries(stats) as [keyof GrpoLossStats, tf.Scalar | undefined][]) {
    if (tensor !== undefined) metrics[GRPO_LOSS_METRIC_NAMES[key]] = tensor.dataSync()[0] as number;
  }
  return metrics;
}

function validateInput(input: GrpoLossInput, beta: number): void {
  if (typeof input !== 'object' || input === null) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`input\` must be an object of tensors (logprobs, mask, ...).`,
    );
  }
  assertTensor(FN, 'logprobs', input.logprobs, { dtypes: ['float32'], rank: 2 });
  assertTensor(FN, 'mask', input.mask, { dtypes: MASK_DTYPES, rank: 2 });
  assertSameShape(FN, 'mask', input.mask, 'logprobs', input.logprobs);
  for (const name of ['oldLogprobs', 'refLogprobs', 'entropies'] as const) {
    if (input[name] === undefined) continue;
    assertTensor(FN, name, input[name], { dtypes: ['float32'], rank: 2 });
    assertSameShape(FN, name, input[name], 'logprobs', input.logprobs);
  }
  if (beta !== 0 && input.refLogprobs === undefined) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`refLogprobs\` is required when beta is ${beta}; pass the reference model's log-probs or set beta 0.`,
    );
  }
  assertTensor(FN, 'advantages', input.advantages, { dtypes: ['float32'] });
  const rows = input.logprobs.shape[0];
  const ok =
    (input.advantages.rank === 1 && input.advantages.shape[0] === rows) ||
    (input.advantages.rank === 2 && tf.util.arraysEqual(input.advantages.shape, input.logprobs.shape));
  if (!ok) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`advantages\` has shape [${input.advantages.shape.join(', ')}]; it must be [${rows}] (one per ` +
        `completion) or [${input.logprobs.shape.join(', ')}] (per token).`,
    );
  }
  const items = input.numItemsInBatch;
  if (items !== undefined && !(typeof items === 'number' && Number.isFinite(items) && items >= 0)) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`numItemsInBatch\` must be a finite number >= 0 (a token count), got ${String(items)}.`,
    );
  }
}
