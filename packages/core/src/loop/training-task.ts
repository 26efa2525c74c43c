import type * as tf from '@tensorflow/tfjs';
import type { Metrics, NamedVariable } from '@trl/spec';
import type { Rng } from '../train/rng';

/** What a task's loss function is told about the pass. */
export interface LossContext {
  /** True for optimizer passes (dropout, NEFTune on), false for evaluation. */
  training: boolean;
  /** The loop's generator; checkpointed, so draws from it resume exactly. */
  rng: Rng;
}

/** The loss of one batch and optional extra scalars to average (e.g. accuracy). */
export interface LossOutput {
  /** Scalar to minimise (mean over the batch). */
  loss: tf.Scalar;
  /** Extra scalars, averaged over evaluation batches and logged with an `eval_` prefix. */
  metrics?: Record<string, tf.Scalar>;
}

/**
 * What a trainer plugs into {@link runTrainingLoop}: how to batch examples, the differentiable loss,
 * what to optimise and how to save the model. Everything else (epochs, accumulation, AdamW,
 * schedule, clipping, evaluation, checkpoints, logging) is the loop's job, the same for every trainer.
 */
export interface TrainingTask<Example, Batch> {
  /** Short name shown in the progress bar and errors, e.g. `sft`. */
  readonly name: string;
  /** The variables AdamW updates (e.g. `model.trainableVariables()`). */
  parameters(): NamedVariable[];
  /** Builds a batch (plain arrays; tensors are made inside `computeLoss`) from examples. */
  collate(examples: readonly Example[]): Batch;
  /** The loss; runs inside `tf.variableGrads` or `tf.tidy`, so intermediate tensors are freed. */
  computeLoss(batch: Batch, context: LossContext): LossOutput;
  /** Adds derived evaluation metrics (e.g. perplexity from the loss) to the averaged ones. */
  finishEvalMetrics?(averaged: Metrics): Metrics;
  /** Writes the model (e.g. `savePretrained`) into `dir`. */
  saveModel(dir: string): Promise<void>;
}
