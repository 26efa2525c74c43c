import * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';
import { z } from 'zod';

/** Checkpointed state of {@link RunningMoments}. */
export const runningMomentsStateSchema = z.object({
  /** Running mean. */
  mean: z.number().finite(),
  /** Running std, Bessel-corrected by the total count (NaN after a single value in total, as TRL). */
  std: z.union([z.number().nonnegative(), z.nan()]),
  /** Running population variance. */
  var: z.number().nonnegative(),
  /** Number of values seen (starts at 1e-24 so the first update needs no special case). */
  count: z.number().positive(),
});

/** Checkpointed state of {@link RunningMoments}. */
export type RunningMomentsState = z.infer<typeof runningMomentsStateSchema>;

/** The moments of the batch just fed to {@link RunningMoments.update}. */
export interface BatchMoments {
  /** Batch mean. */
  mean: number;
  /** Batch std with Bessel's correction (NaN for a one-value batch, as TRL). */
  std: number;
}

/**
 * Running mean and std of a stream of batches (TRL `RunningMoments`, used to scale and normalise
 * reward-model scores). Combines each batch with Chan et al.'s parallel update, in float64:
 *
 *     delta = batchMean - mean;   N = count + n
 *     var   = (var * count + delta^2 * count * n / N + batchVar * n) / N     (population variances)
 *     mean += delta * n / N
 *     std   = sqrt(var * N / (N - 1));   count = N
 */
export class RunningMoments {
  /** Running mean. */
  mean = 0;
  /** Running std (Bessel-corrected). */
  std = 1;
  /** Running population variance. */
  var = 1;
  /** Values seen; the tiny start makes the prior weightless. */
  count = 1e-24;

  /**
   * Folds a batch in and returns that batch's own mean and unbiased std (what TRL logs).
   * Reads a tensor's data (a sync); NaN or infinite values are refused.
   */
  update(batch: tf.Tensor | readonly number[]): BatchMoments {
    const fn = 'RunningMoments.update';
    if (!(batch instanceof tf.Tensor) && !Array.isArray(batch)) {
      throw new TrlError('invalid-argument', `${fn}: \`batch\` must be a tf.Tensor or an array of numbers.`);
    }
    const data = batch instanceof tf.Tensor ? batch.dataSync() : batch;
    const n = data.length;
    if (n === 0)
      throw new TrlError('invalid-argument', `${fn}: \`batch\` is empty; pass at least one value.`);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = Number(data[i]);
      if (!Number.isFinite(x)) {
        throw new TrlError(
          'invalid-argument',
          `${fn}: \`batch\` holds ${x} at index ${i}; every value must be a finite number.`,
        );
      }
      sum += x;
    }
    const batchMean = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (Number(data[i]) - batchMean) ** 2;
    const batchVar = squares / n;

    const delta = batchMean - this.mean;
    const total = this.count + n;
    const oldSum = this.var * this.count + (delta * delta * this.count * n) / total;
    this.mean += (delta * n) / total;
    this.var = (oldSum + batchVar * n) / total;
    this.std = Math.sqrt((this.var * total) / (total - 1));
    this.count = total;
    return { mean: batchMean, std: Math.sqrt((batchVar * n) / (n - 1)) };
  }

  /** A copy of the running statistics, for checkpoints. */
  state(): RunningMomentsState {
    return { mean: this.mean, std: this.std, var: this.var, count: this.count };
  }

  /** Restores what `state()` returned (validated). */
  load(state: RunningMomentsState): void {
    const parsed = runningMomentsStateSchema.safeParse(state);
    if (!parsed.success) {
      throw new TrlError(
        'invalid-checkpoint',
        `RunningMoments.load: invalid \`state\`: ${z.prettifyError(parsed.error)}`,
      );
    }
    Object.assign(this, parsed.data);
  }

  /** A new instance holding a checkpointed state. */
  static fromState(state: RunningMomentsState): RunningMoments {
    const moments = new RunningMoments();
    moments.load(state);
    return moments;
  }
}
