import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';
import { z } from 'zod';
import { logSigmoid } from './log-sigmoid';
import { assertSameShape, assertTensor } from './validate';

const FN = 'dpoLoss';

/** DPO loss variants ported from TRL 1.13's `DPOTrainer` (`loss_type`). */
export const DPO_LOSS_TYPES = ['sigmoid', 'hinge', 'ipo', 'robust'] as const;
/** One of {@link DPO_LOSS_TYPES}. */
export type DpoLossType = (typeof DPO_LOSS_TYPES)[number];

/** DPO loss settings, with TRL 1.13 `DPOConfig`'s defaults. */
export const dpoLossConfigSchema = z.strictObject({
  /** Strength of the tie to the reference (TRL `beta`, 0.1); for 'ipo' the regularizer tau. */
  beta: z.number().positive().default(0.1),
  /** One loss or several to add up (TRL `loss_type`, default `['sigmoid']`). */
  lossType: z.union([z.enum(DPO_LOSS_TYPES), z.array(z.enum(DPO_LOSS_TYPES)).min(1)]).default(['sigmoid']),
  /** Weight of each entry of `lossType` (TRL `loss_weights`, default all 1). */
  lossWeights: z.array(z.number().refine(Number.isFinite, 'must be finite')).optional(),
  /**
   * Assumed share of flipped preference labels, used only by 'robust' (TRL `label_smoothing`, 0). TRL
   * 1.13's 'sigmoid' ignores it (older TRL smoothed 'sigmoid'; that is 'robust' minus its renormalization).
   */
  labelSmoothing: z.number().min(0).lt(0.5).default(0),
});

/** Options of {@link dpoLoss}; every field optional, defaults as TRL 1.13. */
export type DpoLossConfig = z.input<typeof dpoLossConfigSchema>;

/** Summed completion log-probs of one batch of preference pairs, each float32 `[pairs]`. */
export interface DpoLossInput {
  /** Policy log-prob of each chosen completion (sum over its tokens; carries the gradient). */
  chosenLogps: tf.Tensor1D;
  /** Policy log-prob of each rejected completion. */
  rejectedLogps: tf.Tensor1D;
  /** Reference-model log-prob of each chosen completion. */
  refChosenLogps: tf.Tensor1D;
  /** Reference-model log-prob of each rejected completion. */
  refRejectedLogps: tf.Tensor1D;
  /** Completion token counts of the chosen side; required by 'ipo', which averages per token. */
  chosenLengths?: tf.Tensor1D;
  /** Completion token counts of the rejected side; required by 'ipo'. */
  rejectedLengths?: tf.Tensor1D;
}

/** The reward metrics TRL's DPOTrainer logs, each a float32 scalar. */
export type DpoLossStats = {
  /** TRL `rewards/chosen`: mean of `beta * (chosenLogps - refChosenLogps)`. */
  rewardsChosen: tf.Scalar;
  /** TRL `rewards/rejected`: mean of `beta * (rejectedLogps - refRejectedLogps)`. */
  rewardsRejected: tf.Scalar;
  /** TRL `rewards/accuracies`: share of pairs whose chosen reward is strictly the larger. */
  rewardsAccuracies: tf.Scalar;
  /** TRL `rewards/margins`: mean chosen-minus-rejected reward. */
  rewardsMargins: tf.Scalar;
  /** TRL `logps/chosen`: mean policy log-prob of the chosen completions. */
  logpsChosen: tf.Scalar;
  /** TRL `logps/rejected`: mean policy log-prob of the rejected completions. */
  logpsRejected: tf.Scalar;
};

/** TRL's metric name of each {@link DpoLossStats} field. */
export const DPO_METRIC_NAMES: Readonly<Record<keyof DpoLossStats, string>> = {
  rewardsChosen: 'rewards/chosen',
  rewardsRejected: 'rewards/rejected',
  rewardsAccuracies: 'rewards/accuracies',
  rewardsMargins: 'rewards/margins',
  logpsChosen: 'logps/chosen',
  logpsRejected: 'logps/rejected',
};

/** What {@link dpoLoss} returns; free it all with `tf.dispose(output)`. */
export interface DpoLossOutput {
  /** The scalar to differentiate. */
  loss: tf.Scalar;
  /** Diagnostics; not meant to be differentiated. */
  stats: DpoLossStats;
}

/**
 * The DPO family of pairwise losses (TRL 1.13 `DPOTrainer._compute_loss`, reverse-KL scores). With
 * `d = (chosen - refChosen) - (rejected - refRejected)` per pair:
 *
 *     sigmoid:  -logsigmoid(beta * d)
 *     hinge:    relu(1 - beta * d)
 *     ipo:      (dc / max(lenC, 1) - dr / max(lenR, 1) - 1 / (2 * beta))^2    dc, dr the two log-ratios
 *     robust:   (-(1 - ls) * logsigmoid(beta * d) + ls * logsigmoid(-beta * d)) / (1 - 2 * ls)
 *
 *     loss = sum_i weight_i * mean_pairs(loss_i)
 *
 * `logsigmoid` is computed as `-softplus(-x)`. Differentiable through all four log-prob inputs; no sync.
 */
export function dpoLoss(input: DpoLossInput, config: DpoLossConfig = {}): DpoLossOutput {
  const parsed = dpoLossConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new TrlError('invalid-value', `${FN}: invalid \`config\`: ${z.prettifyError(parsed.error)}`);
  }
  const { beta, labelSmoothing } = parsed.data;
  const lossTypes = typeof parsed.data.lossType === 'string' ? [parsed.data.lossType] : parsed.data.lossType;
  const lossWeights = parsed.data.lossWeights ?? lossTypes.map(() => 1);
  if (lossWeights.length !== lossTypes.length) {
    throw new TrlError(
      'invalid-value',
      `${FN}: \`lossWeights\` has ${lossWeights.length} entries for ${lossTypes.length} loss types; give one each.`,
    );
  }
  validateInput(input, lossTypes.includes('ipo'));

  return tf.tidy(() => {
    const chosenLogratios = tf.sub(input.chosenLogps, input.refChosenLogps);
    const rejectedLogratios = tf.sub(input.rejectedLogps, input.refRejectedLogps);
    const scaled = tf.mul(beta, tf.sub(chosenLogratios, rejectedLogratios));

    const perPair = (lossType: DpoLossType): tf.Tensor => {
      switch (lossType) {
        case 'sigmoid':
          return tf.neg(logSigmoid(scaled));
        case 'hinge':
          return tf.relu(tf.sub(1, scaled));
        case 'ipo': {
          const perToken = (x: tf.Tensor, lengths: tf.Tensor) => tf.div(x, tf.maximum(lengths, 1));
          const chosen = perToken(chosenLogratios, input.chosenLengths as tf.Tensor1D);
          const rejected = perToken(rejectedLogratios, input.rejectedLengths as tf.Tensor1D);
          return tf.square(tf.sub(tf.sub(chosen, rejected), 1 / (2 * beta)));
        }
        case 'robust': {
          const clean = tf.mul(-(1 - labelSmoothing), logSigmoid(scaled));
          const flipped = tf.mul(-labelSmoothing, logSigmoid(tf.neg(scaled)));
          return tf.div(tf.sub(clean, flipped), 1 - 2 * labelSmoothing);
        }
      }
    };
    let loss = tf.scalar(0);
    lossTypes.forEach((lossType, i) => {
      loss = tf.add(loss, tf.mul(tf.mean(perPair(lossType)), lossWeights[i] as number));
    });

    const chosenRewards = tf.mul(beta, chosenLogratios);
    const rejectedRewards = tf.mul(beta, rejectedLogratios);
    const stats: DpoLossStats = {
      rewardsChosen: tf.mean(chosenRewards),
      rewardsRejected: tf.mean(rejectedRewards),
      rewardsAccuracies: tf.mean(tf.cast(tf.greater(chosenRewards, rejectedRewards), 'float32')),
      rewardsMargins: tf.mean(tf.sub(chosenRewards, rejectedRewards)),
      logpsChosen: tf.mean(input.chosenLogps),
      logpsRejected: tf.mean(input.rejectedLogps),
    };
    return { loss: loss as tf.Scalar, stats };
  });
}

/** Reads every stat (one sync each) into TRL's metric names, e.g. for a tracker. Does not dispose. */
export function dpoStatsToMetrics(stats: DpoLossStats): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [key, tensor] of Object.entries(stats) as [keyof DpoLossStats, tf.Scalar][]) {
    metrics[DPO_METRIC_NAMES[key]] = tensor.dataSync()[0] as number;
  }
  return metrics;
}

function validateInput(input: DpoLossInput, needsLengths: boolean): void {
  if (typeof input !== 'object' || input === null) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: \`input\` must be an object of tensors (chosenLogps, rejectedLogps, refChosenLogps, refRejectedLogps).`,
    );
  }
  assertTensor(FN, 'chosenLogps', input.chosenLogps, { dtypes: ['float32'], rank: 1 });
  const names = [
    'rejectedLogps',
    'refChosenLogps',
    'refRejectedLogps',
    'chosenLengths',
    'rejectedLengths',
  ] as const;
  for (const name of names) {
    if (input[name] === undefined && (name === 'chosenLengths' || name === 'rejectedLengths')) {
      if (needsLengths) {
        throw new TrlError(
          'invalid-argument',
          `${FN}: \`${name}\` is required by the 'ipo' loss, which averages log-ratios per completion token; ` +
            'pass each completion’s token count (float32, [pairs]).',
        );
      }
      continue;
    }
    assertTensor(FN, name, input[name], { dtypes: ['float32'], rank: 1 });
    assertSameShape(FN, name, input[name] as tf.Tensor, 'chosenLogps', input.chosenLogps);
  }
  if (input.chosenLogps.shape[0] === 0) {
    throw new TrlError(
      'invalid-argument',
      `${FN}: the batch has no pairs; a mean over nothing is undefined.`,
    );
  }
}
